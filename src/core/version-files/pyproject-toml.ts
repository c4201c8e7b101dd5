// Sets the version of a Python project in pyproject.toml: `[project].version` and/or `[tool.poetry].version`.
import { checkVersion, missingKey, type VersionFileOptions } from './editor.js';
import { setTomlStrings } from './toml-key.js';
import { scanToml, type TomlEntry, tomlEntry } from './toml-span.js';

export function setPyprojectVersion(text: string, version: string, opts: VersionFileOptions = {}): string {
  checkVersion(version);
  const file = opts.file ?? 'pyproject.toml';
  const entries = scanToml(text, file);
  // Poetry 2 projects may carry both tables; both are kept in step.
  const found = [tomlEntry(entries, ['project', 'version']), tomlEntry(entries, ['tool', 'poetry', 'version'])].filter(
    (e): e is TomlEntry => e !== undefined,
  );
  if (found.length === 0) {
    const dynamic = /^\s*dynamic\s*=\s*\[[^\]]*["']version["']/m.test(text);
    throw missingKey(
      file,
      'project.version',
      dynamic
        ? 'the version is dynamic (set by the build backend, e.g. setuptools-scm or a __version__ file): point Cutter at the file that holds it, with a marker comment # x-cutter-version'
        : 'add version = "0.0.0" under [project] (or [tool.poetry])',
    );
  }
  return setTomlStrings(text, version, file, found);
}
