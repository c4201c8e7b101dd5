// Sets a string at a dotted key path in any JSON file (`jsonPath: 'a.b.version'`), editing only that value.
import { checkVersion, missingKey, notAString, replaceSpans, splitPath, type VersionFileOptions } from './editor.js';
import { findJsonValues } from './json-span.js';

export function setJsonPathVersion(text: string, version: string, opts: VersionFileOptions = {}): string {
  checkVersion(version);
  const file = opts.file ?? 'JSON file';
  if (!opts.jsonPath) throw missingKey(file, '(jsonPath)', 'configure jsonPath, e.g. jsonPath: "a.b.version"');
  return setJsonStrings(text, version, file, [splitPath(opts.jsonPath, file)], []);
}

/**
 * Sets each required path (missing → error) and each optional path that exists; the value must be a string
 * so that a number or an object is never silently replaced.
 */
export function setJsonStrings(
  text: string,
  version: string,
  file: string,
  required: readonly (readonly string[])[],
  optional: readonly (readonly string[])[],
): string {
  const spans = [];
  const wanted = [...required.map((p) => [p, true] as const), ...optional.map((p) => [p, false] as const)];
  const found = findJsonValues(
    text,
    wanted.map(([p]) => p),
    file,
  );
  for (const [i, [path, isRequired]] of wanted.entries()) {
    const key = path.join('.');
    const span = found[i];
    if (!span) {
      if (isRequired) throw missingKey(file, key, `add "${key}": "0.0.0" (any version) so Cutter knows where to write`);
      continue;
    }
    if (span.kind !== 'string') throw notAString(file, key, `make "${key}" a string such as "1.2.3"`);
    spans.push({ start: span.start, end: span.end, value: JSON.stringify(version) });
  }
  return replaceSpans(text, spans);
}
