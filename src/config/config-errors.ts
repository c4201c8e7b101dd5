// Maps zod issues and YAML syntax errors to one CUTTER_CONFIG_INVALID naming file:line:column, the key and what is allowed.
import { isMap, isPair, isScalar, type LineCounter, type Document as YamlDocument } from 'yaml';
import * as z from 'zod';
import { CutterError } from '../core/errors.js';

type PathKey = string | number;

/** One readable line per problem: `file:line:col: key — what went wrong (allowed: …)`. */
export function configIssueLines(
  file: string,
  doc: YamlDocument,
  lineCounter: LineCounter,
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
): string[] {
  return issues.map((issue) => {
    const path = issue.path.filter((p): p is PathKey => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(schema, path);
      return issue.keys
        .map((key) => {
          const where = position(lineCounter, keyOffset(doc, path, key) ?? valueOffset(doc, path));
          const allowedText = allowed ? ` (allowed: ${allowed.join(', ')})` : '';
          return `${file}:${where}: unknown key ${formatPath([...path, key])}${allowedText}`;
        })
        .join('\n');
    }
    const where = position(lineCounter, valueOffset(doc, path));
    return `${file}:${where}: ${formatPath(path) || '(top level)'} — ${describeIssue(issue)}`;
  });
}

export function configInvalid(file: string, lines: string[]): CutterError {
  const message = lines.length > 0 ? lines.join('; ') : `${file}: invalid configuration`;
  return new CutterError('CUTTER_CONFIG_INVALID', message, {
    hint: `fix ${file} (see the configuration reference in the README)`,
    details: { file, problems: lines },
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') {
    return `got ${JSON.stringify(issue.input)}, allowed: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (issue.code === 'invalid_type') {
    const got = issue.input === undefined ? 'nothing' : describeValue(issue.input);
    return `expected ${issue.expected}, got ${got}`;
  }
  return issue.message;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function formatPath(path: readonly PathKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function position(lineCounter: LineCounter, offset: number | undefined): string {
  const { line, col } = lineCounter.linePos(offset ?? 0);
  return `${line}:${col}`;
}

/** Offset of the value at `path`, or of its nearest ancestor present in the file (a missing key points at its parent). */
function valueOffset(doc: YamlDocument, path: readonly PathKey[]): number | undefined {
  for (let len = path.length; len >= 0; len--) {
    const sub = path.slice(0, len);
    if (len > 0) {
      const offset = keyOffset(doc, sub.slice(0, -1), sub[len - 1] as PathKey);
      const node = doc.getIn(sub, true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return node.range[0];
      if (offset !== undefined) return offset;
    } else if (doc.contents && 'range' in doc.contents && doc.contents.range) {
      return doc.contents.range[0];
    }
  }
  return undefined;
}

/** Offset of the key `key` inside the mapping at `path`. */
function keyOffset(doc: YamlDocument, path: readonly PathKey[], key: PathKey): number | undefined {
  const parent = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(parent)) return undefined;
  for (const item of parent.items) {
    if (isPair(item) && isScalar(item.key) && String(item.key.value) === String(key)) return item.key.range?.[0];
  }
  return undefined;
}

/** The keys the schema allows at `path`, for "unknown key" messages. */
export function allowedKeysAt(schema: z.ZodType, path: readonly PathKey[]): string[] | null {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const step of path) {
    if (!current) return null;
    if (current instanceof z.ZodObject) current = unwrap(current.shape[String(step)] as z.ZodType | undefined);
    else if (current instanceof z.ZodArray) current = unwrap(current.element as z.ZodType);
    else if (current instanceof z.ZodRecord) current = unwrap(current.valueType as z.ZodType);
    else return null;
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : null;
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
    s = s.unwrap() as z.ZodType;
  }
  return s;
}
