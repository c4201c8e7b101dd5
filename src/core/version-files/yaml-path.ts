// Sets a scalar at a dotted key path in YAML (`yamlPath: 'image.version'`) through the `yaml` parser's source ranges.
import { isAlias, isScalar, parseAllDocuments, Scalar } from 'yaml';
import {
  checkVersion,
  missingKey,
  notAString,
  replaceSpans,
  splitPath,
  unparsable,
  type VersionFileOptions,
} from './editor.js';

export function setYamlPathVersion(text: string, version: string, opts: VersionFileOptions = {}): string {
  checkVersion(version);
  const file = opts.file ?? 'YAML file';
  if (!opts.yamlPath) throw missingKey(file, '(yamlPath)', 'configure yamlPath, e.g. yamlPath: "image.version"');
  return setYamlScalars(text, version, file, [splitPath(opts.yamlPath, file)], []);
}

/**
 * Replaces the scalars at the required paths (missing → error) and at the optional ones that exist. Only the
 * scalar's own bytes change, written in its original style: plain stays plain, quotes stay the same quotes.
 * In a multi-document file (`---`) each path is looked up in the first document that has it.
 */
export function setYamlScalars(
  text: string,
  version: string,
  file: string,
  required: readonly (readonly string[])[],
  optional: readonly (readonly string[])[],
): string {
  // An empty stream is an empty array: every path is then simply missing.
  const docs = [...parseAllDocuments(text, { uniqueKeys: true })];
  const error = docs.flatMap((d) => d.errors)[0];
  if (error) throw unparsable(file, error.message.split('\n')[0] ?? 'invalid YAML', 'fix the YAML syntax first');
  const spans = [];
  for (const [path, isRequired] of [
    ...required.map((p) => [p, true] as const),
    ...optional.map((p) => [p, false] as const),
  ]) {
    const key = path.join('.');
    // Sequence items are addressed by index: `containers.0.image`.
    const keys = path.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    const node = docs.map((d) => d.getIn(keys, true)).find((n) => n !== undefined && n !== null);
    if (node === undefined || node === null) {
      if (isRequired) throw missingKey(file, key, `add ${key}: 0.0.0 so Cutter knows where to write`);
      continue;
    }
    // `appVersion: *v` follows its anchor: the bytes to change are where the anchor is defined.
    if (isAlias(node) && !isRequired) continue;
    if (!isScalar(node) || !node.range) throw notAString(file, key, `make ${key} a scalar such as 1.2.3`);
    spans.push({ start: node.range[0], end: node.range[1], value: styled(node, version, file, key) });
  }
  return replaceSpans(text, spans);
}

function styled(node: Scalar, version: string, file: string, key: string): string {
  switch (node.type) {
    case Scalar.QUOTE_DOUBLE:
      return `"${version}"`;
    case Scalar.QUOTE_SINGLE:
      return `'${version}'`;
    case Scalar.PLAIN:
      return version;
    default:
      throw notAString(file, key, `write ${key} on one line (block scalars | and > are not edited)`);
  }
}
