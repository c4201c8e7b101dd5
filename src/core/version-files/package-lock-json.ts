// Sets the root package's version in package-lock.json / npm-shrinkwrap.json (top-level and `packages[""]`).
import { checkVersion, type VersionFileOptions } from './editor.js';
import { setJsonStrings } from './json-path.js';

export function setPackageLockVersion(text: string, version: string, opts: VersionFileOptions = {}): string {
  checkVersion(version);
  // lockfileVersion 1 has no `packages` map; v3 has both entries, and npm compares them with package.json.
  return setJsonStrings(text, version, opts.file ?? 'package-lock.json', [['version']], [['packages', '', 'version']]);
}
