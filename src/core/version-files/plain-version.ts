// Sets the version in a plain VERSION file: one token, optionally `v`-prefixed, surrounded by whatever whitespace.
import { CutterError } from '../errors.js';
import { checkVersion, type VersionFileOptions } from './editor.js';

const VERSION_TOKEN = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export function setPlainVersion(text: string, version: string, opts: VersionFileOptions = {}): string {
  checkVersion(version);
  const file = opts.file ?? 'VERSION';
  const tokens = [...text.matchAll(/\S+/g)];
  // An empty file is a new one: it simply receives the version.
  if (tokens.length === 0) return version + text;
  const token = tokens[0];
  if (tokens.length > 1 || !token || !VERSION_TOKEN.test(token[0])) {
    throw new CutterError('CUTTER_BAD_INPUT', `${file} should hold only a version such as 1.2.3`, {
      hint: 'for a file with more content, mark the line with # x-cutter-version or use a JSON/YAML/TOML key',
    });
  }
  // A team that writes `v1.2.3` keeps its prefix.
  const prefix = token[0].startsWith('v') ? 'v' : '';
  return text.slice(0, token.index) + prefix + version + text.slice(token.index + token[0].length);
}
