// Sets `version` in an npm package.json.
import { checkVersion, type VersionFileOptions } from './editor.js';
import { setJsonStrings } from './json-path.js';

export function setPackageJsonVersion(text: string, version: string, opts: VersionFileOptions = {}): string {
  checkVersion(version);
  return setJsonStrings(text, version, opts.file ?? 'package.json', [['version']], []);
}
