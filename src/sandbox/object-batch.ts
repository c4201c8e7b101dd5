// Answers object questions for many repos with few git processes: repos that borrow one object store share a batch.

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** How to run git in a repo directory (GitStore's runGit, passed in to keep this module free of process details). */
export type GitRunner = (cwd: string, args: string[], input: string) => Promise<Buffer>;

export interface ObjectRequest {
  /** The bare repo that must see the object. */
  dir: string;
  /** An object name git understands in that repo (a sha, or `sha^{}`). */
  name: string;
  /**
   * The commit a `<commit>:<path>` name looks into. A repo that has a commit has its whole tree (git keeps repos
   * connected), so where the shared run finds the commit but not the path, the path is absent in every repo that
   * has the commit, and the repo is not asked again on its own. Without it, a miss is asked again in its repo.
   */
  within?: string;
}

/**
 * Repos seeded together borrow one store through `objects/info/alternates`; every object of the store is visible in
 * each of them, so one `git cat-file` run in any of them answers for all. Objects a repo holds alone (pushed after
 * seeding) come back missing from the shared run and are asked again in their own repo.
 */
async function alternatesKey(dir: string): Promise<string> {
  const text = await readFile(join(dir, 'objects', 'info', 'alternates'), 'utf8').catch(() => '');
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  return lines.length === 0 ? '' : lines.map((l) => resolve(dir, 'objects', l)).join('\n');
}

/**
 * Run one `git cat-file <mode>` per group of repos that share an object store and return each request's answer
 * (the raw output records split by `split`), or null where the object is missing in its repo.
 */
export async function catFileAcross<T>(
  run: GitRunner,
  requests: ObjectRequest[],
  args: string[],
  split: (out: Buffer) => (T | null)[],
): Promise<(T | null)[]> {
  const answers: (T | null)[] = requests.map(() => null);
  if (requests.length === 0) return answers;
  const dirs = [...new Set(requests.map((r) => r.dir))];
  const keys = new Map(await Promise.all(dirs.map(async (d) => [d, await alternatesKey(d)] as const)));
  const groups = new Map<string, number[]>();
  for (const [i, r] of requests.entries()) {
    const key = keys.get(r.dir) || `own:${r.dir}`;
    const list = groups.get(key) ?? [];
    list.push(i);
    groups.set(key, list);
  }
  /** Ask in `dir` for the requests at `indexes` (and for `extra` names); return the misses and the extras found. */
  const ask = async (
    dir: string,
    indexes: number[],
    extra: string[] = [],
  ): Promise<{ missing: number[]; found: Set<string> }> => {
    const input = `${[...indexes.map((i) => requests[i]!.name), ...extra].join('\n')}\n`;
    let values: (T | null)[];
    try {
      values = split(await run(dir, ['cat-file', ...args], input));
    } catch {
      values = [];
    }
    const missing: number[] = [];
    indexes.forEach((idx, k) => {
      const value = values[k] ?? null;
      if (value === null) missing.push(idx);
      else answers[idx] = value;
    });
    const found = new Set(extra.filter((_, k) => (values[indexes.length + k] ?? null) !== null));
    return { missing, found };
  };
  await Promise.all(
    [...groups.entries()].map(async ([key, indexes]) => {
      const first = requests[indexes[0]!]!.dir;
      if (key.startsWith('own:')) {
        await ask(first, indexes);
        return;
      }
      const commits = [...new Set(indexes.flatMap((i) => requests[i]!.within ?? []))];
      const { missing, found } = await ask(first, indexes, commits);
      if (missing.length === 0) return;
      // what the shared store lacks may live in a repo's own objects: ask each such repo once
      const byDir = new Map<string, number[]>();
      for (const idx of missing) {
        const { dir, within } = requests[idx]!;
        if (dir === first || (within !== undefined && found.has(within))) continue;
        byDir.set(dir, [...(byDir.get(dir) ?? []), idx]);
      }
      await Promise.all([...byDir.entries()].map(([dir, idxs]) => ask(dir, idxs)));
    }),
  );
  return answers;
}

export interface CatFileEntry {
  sha: string;
  type: string;
  content: Buffer;
}

/** Parse `git cat-file --batch` output (header line, content, newline) for many objects at once. */
export function parseBatch(buf: Buffer): (CatFileEntry | null)[] {
  const out: (CatFileEntry | null)[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(10, pos);
    if (nl === -1) break;
    const header = buf.subarray(pos, nl).toString('utf8');
    const parts = header.split(' ');
    if (parts[1] === 'missing' || parts.length < 3) {
      out.push(null);
      pos = nl + 1;
      continue;
    }
    const size = Number(parts[2]);
    out.push({ sha: parts[0] ?? '', type: parts[1] ?? '', content: buf.subarray(nl + 1, nl + 1 + size) });
    pos = nl + 1 + size + 1;
  }
  return out;
}
