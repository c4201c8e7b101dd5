import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commit as commitFlat, git, initRepo, removeTempDirs } from '../../test/support/temp-repo.js';
import { isCutterError } from '../core/errors.js';
import { ChangedFilesParser, changedFilesByCommit, streamChangedFiles } from './changed-files.js';

afterAll(removeTempDirs);

/** Commit files in sub-directories (the shared helper writes only top-level files). */
function commit(dir: string, message: string, files: Record<string, string> = {}): string {
  for (const name of Object.keys(files)) mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  return commitFlat(dir, message, files);
}

describe('changed files per commit', () => {
  it('lists the paths each commit touched, including empty commits, odd names and both sides of a move', async () => {
    const dir = initRepo();
    const one = commit(dir, 'feat(api): start', { 'packages/api/a.ts': '1', 'weird\nname ü.txt': 'x' });
    git(dir, ['commit', '--allow-empty', '-m', 'chore: nothing']);
    const empty = git(dir, ['rev-parse', 'HEAD']);
    mkdirSync(path.join(dir, 'packages/web'));
    git(dir, ['mv', 'packages/api/a.ts', 'packages/web/a.ts']);
    git(dir, ['commit', '-m', 'refactor: move']);
    const moved = git(dir, ['rev-parse', 'HEAD']);

    const byCommit = await changedFilesByCommit(dir, ['HEAD']);
    expect(byCommit.get(one)?.sort()).toEqual(['packages/api/a.ts', 'weird\nname ü.txt']);
    expect(byCommit.get(empty)).toEqual([]);
    expect(byCommit.get(moved)?.sort()).toEqual(['packages/api/a.ts', 'packages/web/a.ts']);
  });

  it('streams a range newest first and lists a merge against the mainline with firstParent', async () => {
    const dir = initRepo();
    commit(dir, 'chore: base', { 'README.md': 'x' });
    git(dir, ['tag', 'v1.0.0']);
    git(dir, ['checkout', '-q', '-b', 'topic']);
    commit(dir, 'feat: side', { 'packages/web/b.ts': '1' });
    git(dir, ['checkout', '-q', 'main']);
    commit(dir, 'fix: main', { 'packages/api/c.ts': '1' });
    git(dir, ['merge', '-q', '--no-ff', '-m', 'merge topic', 'topic']);
    const merge = git(dir, ['rev-parse', 'HEAD']);

    const all: string[] = [];
    for await (const batch of streamChangedFiles(dir, ['v1.0.0..HEAD'])) all.push(...batch.map((c) => c.hash));
    expect(all).toHaveLength(3);
    expect(all[0]).toBe(merge);

    const mainline = await changedFilesByCommit(dir, ['v1.0.0..HEAD'], { firstParent: true });
    expect(mainline.size).toBe(2);
    expect(mainline.get(merge)).toEqual(['packages/web/b.ts']);
  });

  it('fails with a clear error for a revision that does not exist', async () => {
    const dir = initRepo();
    commit(dir, 'chore: base', { a: '1' });
    await expect(changedFilesByCommit(dir, ['v9.9.9..HEAD'])).rejects.toSatisfy(
      (err: unknown) => isCutterError(err, 'CUTTER_GIT_FAILED') && /git log/.test((err as Error).message),
    );
  });

  it('parses output split into chunks of any size, one byte at a time included', () => {
    const hashA = 'a'.repeat(40);
    const hashB = 'b'.repeat(40);
    const out = Buffer.from(`\0${hashA}\0\npackages/ä.ts\0x\0\0${hashB}\0`, 'utf8');
    for (const size of [1, 2, 3, 7, out.length]) {
      const parser = new ChangedFilesParser();
      const got = [];
      for (let i = 0; i < out.length; i += size) got.push(...parser.push(out.subarray(i, i + size)));
      got.push(...parser.end());
      expect(got).toEqual([
        { hash: hashA, files: ['packages/ä.ts', 'x'] },
        { hash: hashB, files: [] },
      ]);
    }
  });
});
