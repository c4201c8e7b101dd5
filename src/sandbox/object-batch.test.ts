// catFileAcross on real bare repos borrowing one object store: the answers of one repo at a time, with few git runs.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGit } from './git-store.js';
import { type CatFileEntry, catFileAcross, type ObjectRequest, parseBatch } from './object-batch.js';

const ENV = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_AUTHOR_DATE: '1700000000 +0000',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
  GIT_COMMITTER_DATE: '1700000000 +0000',
};

let root = '';
const dirs: Record<'store' | 'a' | 'b' | 'c', string> = { store: '', a: '', b: '', c: '' };
let seeded = ''; // a commit in the shared store: README.md only
let own = ''; // a commit only b holds: README.md and .cutter.yml

const out = async (dir: string, args: string[], input?: string) =>
  (await runGit(dir, args, { env: ENV, ...(input !== undefined ? { input } : {}) })).stdout.toString('utf8').trim();

/** A commit of the given files, written into `dir`'s own objects. */
async function commit(dir: string, files: Record<string, string>, parent?: string): Promise<string> {
  const index = join(root, `index-${Math.random()}`);
  for (const [path, text] of Object.entries(files)) {
    const blob = await out(dir, ['hash-object', '-w', '--stdin'], text);
    await runGit(dir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], {
      env: { ...ENV, GIT_INDEX_FILE: index },
    });
  }
  const tree = (await runGit(dir, ['write-tree'], { env: { ...ENV, GIT_INDEX_FILE: index } })).stdout
    .toString('utf8')
    .trim();
  return out(dir, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', 'c'], '');
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cutter-object-batch-'));
  for (const name of Object.keys(dirs) as Array<keyof typeof dirs>) {
    dirs[name] = join(root, `${name}.git`);
    await mkdir(dirs[name]);
    await runGit(dirs[name], ['init', '-q', '--bare']);
  }
  for (const name of ['a', 'b', 'c'] as const)
    await writeFile(join(dirs[name], 'objects', 'info', 'alternates'), `${join(dirs.store, 'objects')}\n`);
  seeded = await commit(dirs.store, { 'README.md': '# seeded\n' });
  own = await commit(dirs.b, { 'README.md': '# seeded\n', '.cutter.yml': 'tagFormat: v{version}\n' }, seeded);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('catFileAcross', () => {
  it('answers path lookups of many repos as each repo alone would, asking again only where the commit is not shared', async () => {
    const requests: ObjectRequest[] = [
      { dir: dirs.a, name: `${seeded}:.cutter.yml`, within: seeded },
      { dir: dirs.b, name: `${own}:.cutter.yml`, within: own },
      { dir: dirs.b, name: `${seeded}:README.md`, within: seeded },
      { dir: dirs.c, name: `${seeded}:.cutter.yml`, within: seeded },
      { dir: dirs.c, name: `${seeded}^{tree}`, within: seeded },
    ];
    const runs: string[] = [];
    const run = async (cwd: string, args: string[], input: string) => {
      runs.push(cwd);
      return (await runGit(cwd, args, { input })).stdout;
    };
    const batched = await catFileAcross<CatFileEntry>(run, requests, ['--batch'], parseBatch);
    const alone = await Promise.all(
      requests.map(
        async (r) =>
          parseBatch((await runGit(r.dir, ['cat-file', '--batch'], { input: `${r.name}\n` })).stdout)[0] ?? null,
      ),
    );
    const view = (e: CatFileEntry | null) => (e ? `${e.type} ${e.sha} ${e.content.toString('utf8')}` : null);
    expect(batched.map(view)).toEqual(alone.map(view));
    expect(batched.map((e) => e?.type ?? null)).toEqual([null, 'blob', 'blob', null, 'tree']);
    // One run in the first repo for everything; `own` is missing there, so b is asked about it again. c's missing
    // `.cutter.yml` at the shared commit is not asked again: that commit was found, and with it its whole tree.
    expect(runs.sort()).toEqual([dirs.a, dirs.b].sort());
  });

  it('asks every missing name again in its own repo when the request names no commit', async () => {
    const requests: ObjectRequest[] = [
      { dir: dirs.a, name: own },
      { dir: dirs.b, name: own },
      { dir: dirs.c, name: `${seeded}:.cutter.yml` },
    ];
    const runs: string[] = [];
    const answers = await catFileAcross<CatFileEntry>(
      async (cwd, args, input) => {
        runs.push(cwd);
        return (await runGit(cwd, args, { input })).stdout;
      },
      requests,
      ['--batch'],
      parseBatch,
    );
    expect(answers.map((e) => e?.type ?? null)).toEqual([null, 'commit', null]);
    expect(runs.sort()).toEqual([dirs.a, dirs.b, dirs.c].sort());
  });
});
