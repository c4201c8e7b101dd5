// Sets a Rust crate's version in Cargo.toml: `[package].version`, or `[workspace.package].version` it inherits.
import { checkVersion, missingKey, type VersionFileOptions } from './editor.js';
import { setTomlStrings } from './toml-key.js';
import { scanToml, type TomlEntry, tomlEntry } from './toml-span.js';

export function setCargoTomlVersion(text: string, version: string, opts: VersionFileOptions = {}): string {
  checkVersion(version);
  const file = opts.file ?? 'Cargo.toml';
  const entries = scanToml(text, file);
  // `version.workspace = true` (an entry at package.version.workspace) means the crate inherits the workspace's
  // version: only [workspace.package] holds the bytes to change.
  const found = [tomlEntry(entries, ['package', 'version']), tomlEntry(entries, ['workspace', 'package', 'version'])]
    .filter((e): e is TomlEntry => e !== undefined)
    .filter((e) => !(e.kind === 'other' && /^\{\s*workspace\s*=\s*true\s*\}$/.test(text.slice(e.start, e.end))));
  if (found.length === 0) {
    throw missingKey(
      file,
      'package.version',
      'add version = "0.0.0" under [package], or under [workspace.package] for a workspace that shares one version',
    );
  }
  return setTomlStrings(text, version, file, found);
}
