// Reads a bare repo's refs from git's own files (packed-refs and loose refs), with a stamp that says when they change.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** One ref as git's files hold it; `peeled` is set when packed-refs records an annotated tag's commit. */
export interface RefFileEntry {
  oid: string;
  /** The fully peeled object of an annotated tag, as packed-refs records it. */
  peeled?: string;
  /** True when the files already say whether the ref is an annotated tag (packed with peel information). */
  peelKnown: boolean;
}

export interface PackedRefs {
  traits: Set<string>;
  refs: Map<string, RefFileEntry>;
}

const OID_RE = /^[0-9a-f]{40}$/;

/**
 * Parse a `packed-refs` file (see git's refs/packed-backend.c): an optional `# pack-refs with:` header of traits,
 * then `<oid> <ref>` lines, each optionally followed by `^<peeled oid>` for annotated tags. With the `fully-peeled`
 * trait a ref without a `^` line is known not to be a tag; with `peeled` that holds for `refs/tags/` only.
 */
export function parsePackedRefs(text: string): PackedRefs {
  const traits = new Set<string>();
  const refs = new Map<string, RefFileEntry>();
  let last: RefFileEntry | undefined;
  const lines = text.split('\n');
  const header = lines[0]?.startsWith('# pack-refs with:') ? lines.shift() : undefined;
  if (header) for (const t of header.slice('# pack-refs with:'.length).trim().split(/\s+/)) if (t) traits.add(t);
  for (const line of lines) {
    if (line.startsWith('^')) {
      const peeled = line.slice(1).trim();
      if (last && OID_RE.test(peeled)) last.peeled = peeled;
      continue;
    }
    const sp = line.indexOf(' ');
    const oid = line.slice(0, sp);
    if (sp !== 40 || !OID_RE.test(oid)) {
      last = undefined;
      continue;
    }
    const ref = line.slice(sp + 1).trim();
    const peelKnown = traits.has('fully-peeled') || (traits.has('peeled') && ref.startsWith('refs/tags/'));
    last = { oid, peelKnown };
    refs.set(ref, last);
  }
  // a `^` line is proof of an annotated tag whatever the traits say
  for (const entry of refs.values()) if (entry.peeled) entry.peelKnown = true;
  return { traits, refs };
}

/** What `readRefFiles` found, and every path it looked at with its identity at the time (the stamp). */
export interface RefFilesSnapshot {
  refs: Map<string, RefFileEntry>;
  /** path → `ino:size:mtimeNs` (or `-` when absent), read before the content so a later write always shows. */
  stamp: Map<string, string>;
  /** The repo uses a ref storage these files do not describe (reftable): ask git instead. */
  foreign: boolean;
}

async function identity(path: string): Promise<string> {
  try {
    const s = await stat(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return '-';
  }
}

/** Has any file or directory in the snapshot's stamp changed since it was taken? */
export async function stampChanged(stamp: Map<string, string>): Promise<boolean> {
  const paths = [...stamp.keys()];
  const now = await Promise.all(paths.map(identity));
  return now.some((id, i) => id !== stamp.get(paths[i]!));
}

/**
 * Loose refs override packed ones, as in git. Each path is stamped before it is read, so a write that races the
 * read leaves a stamp that no longer matches and the next read starts over.
 */
export async function readRefFiles(dir: string): Promise<RefFilesSnapshot> {
  const stamp = new Map<string, string>();
  const packedPath = join(dir, 'packed-refs');
  const packedId = await identity(packedPath);
  stamp.set(packedPath, packedId);
  const packedText = packedId === '-' ? '' : await readFile(packedPath, 'utf8').catch(() => '');
  // a reftable repo keeps a plain file at refs/heads (so old gits stop); its refs live in reftable/, not here
  let foreign = false;
  const refs = parsePackedRefs(packedText).refs;
  const loose = new Map<string, string>();
  const symbolic = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    const abs = join(dir, rel);
    stamp.set(abs, await identity(abs));
    const entries = await readdir(abs, { withFileTypes: true }).catch(() => []);
    await Promise.all(
      entries.map(async (e) => {
        const child = `${rel}/${e.name}`;
        if (e.isDirectory()) return walk(child);
        if (child === 'refs/heads') foreign = true;
        if (!e.isFile() || e.name.endsWith('.lock')) return;
        const path = join(dir, child);
        stamp.set(path, await identity(path));
        const text = (await readFile(path, 'utf8').catch(() => '')).trim();
        if (OID_RE.test(text)) loose.set(child, text);
        else if (text.startsWith('ref: ')) symbolic.set(child, text.slice(5).trim());
      }),
    );
  };
  await walk('refs');
  if (foreign) return { refs: new Map(), stamp, foreign };
  for (const [ref, oid] of loose) refs.set(ref, { oid, peelKnown: false });
  // symbolic refs under refs/ (e.g. refs/remotes/origin/HEAD) list as the ref they point at, as in for-each-ref
  for (const [ref, target] of symbolic) {
    const found = refs.get(target);
    if (found) refs.set(ref, { ...found });
  }
  return { refs, stamp, foreign };
}
