// Bump the tag of one image in YAML text (Kubernetes manifests, Helm values, kustomize `images:`), byte-identical elsewhere.

import { isPair, isScalar, isSeq, parseAllDocuments, parse as parseYaml, type Scalar, visit, type YAMLMap } from 'yaml';
import { CutterError } from './errors.js';
import { assertImageDigest, assertImageTag, canonicalRepository, formatImageRef, parseImageRef } from './image-ref.js';

export interface ImageTagUpdate {
  /** The image to look for: `ghcr.io/acme/connector-x` (a tag or digest given here is ignored for matching). */
  image: string;
  /** The new tag, e.g. `1.4.2`. */
  tag: string;
  /** Pin a digest too; when absent, a stale digest in a full `image:` reference is dropped (it would pin the old image). */
  digest?: string | null;
}

export interface ImageTagEdit {
  /** Where in the YAML the value changed (`doc 0: spec.template.spec.containers.0.image`), and from/to as written. */
  where: string;
  from: string;
  to: string;
}

export interface ImageTagResult {
  text: string;
  /** How many values changed; 0 means the image is already at that tag (or is not in this file). */
  changed: number;
  edits: ImageTagEdit[];
}

interface Splice {
  start: number;
  end: number;
  insert: string;
  edit: ImageTagEdit;
}

/**
 * Why splice text instead of `doc.toString()`: the yaml library keeps comments but may re-indent sequences, re-fold
 * long lines or change quoting. A GitOps pull request must show a one-line diff, so we use the Document API only
 * to locate the nodes (with source ranges) and rewrite exactly those bytes.
 */
export function bumpImageTag(text: string, update: ImageTagUpdate): ImageTagResult {
  const ref = parseImageRef(update.image);
  const target = canonicalRepository(ref);
  const tag = assertImageTag(update.tag);
  const digest = update.digest ? assertImageDigest(update.digest) : null;
  // Every spelling of the image (full, Helm repository, kustomize name) contains its last path component; files
  // that do not are left alone without parsing them (YAML parsing dominates on big manifest repositories).
  if (!text.includes(ref.path.split('/').at(-1) ?? ref.path)) return { text, changed: 0, edits: [] };

  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return { text, changed: 0, edits: [] }; // an empty stream
  const splices: Splice[] = [];
  docs.forEach((doc, docIndex) => {
    const first = doc.errors[0];
    if (first) {
      throw new CutterError(
        'CUTTER_BAD_INPUT',
        `YAML document ${docIndex + 1} does not parse: ${first.message.split('\n')[0]}`,
        {
          hint: 'fix the manifest first; Cutter only edits YAML it can read',
        },
      );
    }
    const where = (path: readonly unknown[], key: string) =>
      `doc ${docIndex}: ${[...path.filter(isPair).map((p) => String(isScalar(p.key) ? p.key.value : '?')), key].join('.')}`;

    visit(doc, {
      Pair(_key, pair, path) {
        // `image: ghcr.io/acme/app:1.2.3` (containers, initContainers, CronJobs, compose files, Helm string images).
        if (
          isScalar(pair.key) &&
          pair.key.value === 'image' &&
          isScalar(pair.value) &&
          typeof pair.value.value === 'string'
        ) {
          const value = pair.value.value;
          let ref: ReturnType<typeof parseImageRef>;
          try {
            ref = parseImageRef(value);
          } catch {
            return; // templated (`{{ .Values.image }}`) or not an image at all: not ours to touch
          }
          if (canonicalRepository(ref) !== target) return;
          const next = formatImageRef({ ...ref, tag, digest });
          if (next !== value) splices.push(replaceScalar(text, pair.value, next, where(path, 'image')));
        }
      },
      Map(_key, map, path) {
        // Helm: `image: { registry?, repository, tag }` (any map with a `repository`, since charts nest images freely).
        const repository = scalarString(map, 'repository');
        if (repository !== null) {
          const registry = scalarString(map, 'registry');
          if (repoOf(registry ? `${registry}/${repository}` : repository) === target) {
            const s = setOrInsert(text, map, 'tag', tag, 'repository', where(path, 'tag'));
            if (s) splices.push(s);
            if (digest && map.has('digest')) {
              const d = setOrInsert(text, map, 'digest', digest, 'repository', where(path, 'digest'));
              if (d) splices.push(d);
            }
          }
          return;
        }
        // kustomize: `images: [{ name, newName?, newTag }]` at the root of a kustomization.
        const parent = path[path.length - 1];
        const grand = path[path.length - 2];
        if (!isSeq(parent) || !isPair(grand) || !isScalar(grand.key) || grand.key.value !== 'images') return;
        const name = scalarString(map, 'name');
        const newName = scalarString(map, 'newName');
        if (name === null) return;
        if (repoOf(name) !== target && (newName === null || repoOf(newName) !== target)) return;
        const s = setOrInsert(text, map, 'newTag', tag, 'name', where(path, 'newTag'));
        if (s) splices.push(s);
        if (digest) {
          const d = setOrInsert(text, map, 'digest', digest, 'name', where(path, 'digest'));
          if (d) splices.push(d);
        }
      },
    });
  });

  if (splices.length === 0) return { text, changed: 0, edits: [] };
  splices.sort((a, b) => b.start - a.start);
  let out = text;
  for (const s of splices) out = out.slice(0, s.start) + s.insert + out.slice(s.end);

  // Belt and braces: the edited text must still parse, or we refuse to hand it to a pull request.
  for (const doc of [parseAllDocuments(out)].flat()) {
    const err = doc.errors[0];
    if (err)
      throw new CutterError('CUTTER_INTERNAL', `image tag edit produced invalid YAML: ${err.message.split('\n')[0]}`);
  }
  return { text: out, changed: splices.length, edits: splices.map((s) => s.edit).reverse() };
}

/** The canonical repository of a manifest value, or null when it is not an image (templated, empty…). */
function repoOf(value: string): string | null {
  try {
    return canonicalRepository(parseImageRef(value));
  } catch {
    return null;
  }
}

function scalarString(map: YAMLMap, key: string): string | null {
  const v = map.get(key, true);
  return isScalar(v) && typeof v.value === 'string' ? v.value : null;
}

/** A plain scalar stays plain when it still reads back as the same string (`1.10` would become a number). */
function render(node: Scalar | null, value: string): string {
  const type = node?.type ?? 'PLAIN';
  if (type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (type === 'PLAIN') {
    try {
      if (parseYaml(value) === value && !/[#:]\s|\s#/.test(value)) return value;
    } catch {
      // fall through to quoting
    }
  }
  return JSON.stringify(value);
}

function replaceScalar(text: string, node: Scalar, value: string, where: string): Splice {
  const range = node.range;
  if (!range || node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL') {
    throw new CutterError(
      'CUTTER_BAD_INPUT',
      `cannot edit ${where}: block scalars are not supported for image values`,
      {
        hint: 'write the value on one line',
      },
    );
  }
  const from = text.slice(range[0], range[1]);
  return { start: range[0], end: range[1], insert: render(node, value), edit: { where, from, to: value } };
}

/** Set `key` in `map` (rewriting the existing scalar) or insert it right after `anchorKey`, matching its indentation. */
function setOrInsert(
  text: string,
  map: YAMLMap,
  key: string,
  value: string,
  anchorKey: string,
  where: string,
): Splice | null {
  const existing = map.get(key, true);
  if (existing !== undefined && existing !== null) {
    if (!isScalar(existing)) {
      throw new CutterError('CUTTER_BAD_INPUT', `cannot edit ${where}: expected a plain value`);
    }
    if (String(existing.value ?? '') === value) return null;
    if (existing.range && existing.range[0] === existing.range[1]) {
      // `tag:` with nothing after it: the empty null scalar has no bytes to replace, so add the value after the colon.
      return {
        start: existing.range[0],
        end: existing.range[1],
        insert: ` ${render(null, value)}`,
        edit: { where, from: '', to: value },
      };
    }
    return replaceScalar(text, existing, value, where);
  }
  const edit = { where, from: '', to: value };
  const rendered = `${key}: ${render(null, value)}`;
  if (map.flow) {
    const end = map.range?.[1] ?? 0;
    const close = text.lastIndexOf('}', end);
    return { start: close, end: close, insert: `, ${rendered}`, edit };
  }
  const anchor = map.items.find((p) => isScalar(p.key) && p.key.value === anchorKey);
  const keyStart = (anchor?.key as Scalar | undefined)?.range?.[0];
  const valueEnd = (anchor?.value as Scalar | undefined)?.range?.[1];
  if (keyStart === undefined || valueEnd === undefined) return null;
  const column = keyStart - (text.lastIndexOf('\n', keyStart - 1) + 1);
  const eol = text.indexOf('\n', valueEnd);
  const at = eol === -1 ? text.length : eol;
  const newline = text[at - 1] === '\r' ? '\r\n' : '\n';
  return {
    start: at - (newline === '\r\n' ? 1 : 0),
    end: at - (newline === '\r\n' ? 1 : 0),
    insert: `${newline}${' '.repeat(column)}${rendered}`,
    edit,
  };
}
