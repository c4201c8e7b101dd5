// Sets a string at `table.key` in any TOML file (`tomlKey: 'tool.poetry.version'`), editing only that value.
import { checkVersion, missingKey, notAString, replaceSpans, splitPath, type VersionFileOptions } from './editor.js';
import { scanToml, type TomlEntry, tomlEntry } from './toml-span.js';

export function setTomlKeyVersion(text: string, version: string, opts: VersionFileOptions = {}): string {
  checkVersion(version);
  const file = opts.file ?? 'TOML file';
  if (!opts.tomlKey) throw missingKey(file, '(tomlKey)', 'configure tomlKey, e.g. tomlKey: "tool.poetry.version"');
  const path = splitPath(opts.tomlKey, file);
  const entry = tomlEntry(scanToml(text, file), path);
  if (!entry) throw missingKey(file, opts.tomlKey, `add ${opts.tomlKey} = "0.0.0" so Cutter knows where to write`);
  return setTomlStrings(text, version, file, [entry]);
}

/** Replaces the string values of these entries, keeping each one's quote style. */
export function setTomlStrings(text: string, version: string, file: string, entries: readonly TomlEntry[]): string {
  return replaceSpans(
    text,
    entries.map((e) => {
      if (e.kind !== 'string' || e.quote === null) {
        throw notAString(file, e.path.join('.'), `make ${e.path.join('.')} a one-line string such as "1.2.3"`);
      }
      return { start: e.start, end: e.end, value: `${e.quote}${version}${e.quote}` };
    }),
  );
}
