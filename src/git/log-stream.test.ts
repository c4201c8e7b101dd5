import { afterAll, describe, expect, it } from 'vitest';
import {
  commit,
  fastImportCommits,
  git,
  initRepo,
  removeTempDirs,
  repoWithCommits,
} from '../../test/support/temp-repo.js';
import { isCutterError } from '../core/errors.js';
import type { RawCommit } from '../core/types.js';
import { gitPeakRssKb, resetGitPeakRss } from './child-stats.js';
import { forEachLogCommit, streamLog, streamLogBatches } from './log-stream.js';

afterAll(removeTempDirs);

async function collect(dir: string, revisions: string[]) {
  const out = [];
  for await (const c of streamLog(dir, revisions)) out.push(c);
  return out;
}

describe('streamLog', () => {
  it('yields each commit newest first with hash, parents, author, date and the full message', async () => {
    const dir = initRepo();
    const first = commit(dir, 'feat(api): add x\n\nbody line\n\nRefs: #12\n');
    const second = commit(dir, 'fix: y\n');
    const commits = await collect(dir, ['HEAD']);
    expect(commits.map((c) => c.hash)).toEqual([second, first]);
    expect(commits[0]).toMatchObject({
      parents: [first],
      authorName: 'Ada Tester',
      authorEmail: 'ada@example.com',
      message: 'fix: y\n',
    });
    expect(commits[1]?.message).toBe('feat(api): add x\n\nbody line\n\nRefs: #12\n');
    expect(commits[1]?.parents).toEqual([]);
    expect(commits[0]?.date).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('leaves the author date out when asked, with every other field intact', async () => {
    const dir = initRepo();
    const first = commit(dir, 'feat: a\n\nbody\n');
    const second = commit(dir, 'fix: b\n');
    const commits = [];
    for await (const batch of streamLogBatches(dir, ['HEAD'], { dates: false })) commits.push(...batch);
    expect(commits).toEqual([
      { hash: second, parents: [first], authorName: 'Ada Tester', authorEmail: 'ada@example.com', message: 'fix: b\n' },
      {
        hash: first,
        parents: [],
        authorName: 'Ada Tester',
        authorEmail: 'ada@example.com',
        message: 'feat: a\n\nbody\n',
      },
    ]);
  });

  it('reads only the range since a tag', async () => {
    const dir = initRepo();
    commit(dir, 'feat: old');
    git(dir, ['tag', 'v1.0.0']);
    const fresh = commit(dir, 'fix: new');
    expect((await collect(dir, ['v1.0.0..HEAD'])).map((c) => c.hash)).toEqual([fresh]);
  });

  it('shows both parents of a merge commit', async () => {
    const dir = initRepo();
    commit(dir, 'feat: base');
    git(dir, ['checkout', '-q', '-b', 'topic']);
    const topic = commit(dir, 'feat: topic');
    git(dir, ['checkout', '-q', 'main']);
    const main = commit(dir, 'fix: main');
    git(dir, ['merge', '-q', '--no-ff', '-m', 'Merge branch topic', 'topic']);
    const [merge] = await collect(dir, ['HEAD', '-1']);
    expect(merge?.parents).toEqual([main, topic]);
  });

  it('keeps a 1 MB commit message whole', async () => {
    const body = 'x'.repeat(1024 * 1024);
    const dir = repoWithCommits([`feat: huge\n\n${body}\n`]);
    const [c] = await collect(dir, ['HEAD']);
    expect(c?.message.length).toBe(`feat: huge\n\n${body}\n`.length);
  });

  it('decodes non-UTF-8 bytes in messages with replacement characters instead of crashing', async () => {
    const dir = initRepo();
    commit(dir, Buffer.concat([Buffer.from('fix: caf'), Buffer.from([0xe9, 0xff]), Buffer.from(' latin-1\n')]));
    const [c] = await collect(dir, ['HEAD']);
    // git may re-encode the bytes (as Latin-1) or pass them through (we then decode them as U+FFFD): never a crash.
    expect(c?.message).toMatch(/^fix: caf.{1,2} latin-1\n$/u);
    expect(Buffer.from(c?.message ?? '', 'utf8').toString('utf8')).toBe(c?.message);
  });

  it('streams 20k commits without losing or duplicating one, and records the git child peak RSS', async () => {
    const dir = initRepo();
    const messages = Array.from({ length: 20_000 }, (_, i) => `feat(m${i % 7}): change ${i} ✨\n\nbody ${i}\n`);
    fastImportCommits(dir, messages);
    resetGitPeakRss();
    let count = 0;
    const seen = new Set<string>();
    for await (const batch of streamLogBatches(dir, ['HEAD'])) {
      for (const c of batch) {
        count++;
        seen.add(c.hash);
        expect(c.message).toMatch(/^feat\(m\d\): change \d+ ✨\n\nbody \d+\n$/);
      }
    }
    expect(count).toBe(20_000);
    expect(seen.size).toBe(20_000);
    if (process.platform === 'linux') expect(gitPeakRssKb()).toBeGreaterThan(0);
  });

  it('stops git when the consumer stops early', async () => {
    const dir = initRepo();
    fastImportCommits(
      dir,
      Array.from({ length: 2000 }, (_, i) => `fix: ${i}\n`),
    );
    let taken = 0;
    for await (const _ of streamLog(dir, ['HEAD'])) {
      if (++taken === 3) break;
    }
    expect(taken).toBe(3);
  });

  it('fails with CUTTER_EMPTY_REPO on an unborn HEAD', async () => {
    const dir = initRepo();
    await expect(collect(dir, ['HEAD'])).rejects.toSatisfy((err) => isCutterError(err, 'CUTTER_EMPTY_REPO'));
  });

  it('fails with CUTTER_GIT_FAILED for an unknown revision', async () => {
    const dir = repoWithCommits(['feat: a']);
    await expect(collect(dir, ['v9.9.9..HEAD'])).rejects.toSatisfy((err) => isCutterError(err, 'CUTTER_GIT_FAILED'));
  });
});

describe('forEachLogCommit', () => {
  it('hands on each commit as streamLog yields it, and stops git where the callback says', async () => {
    const dir = initRepo();
    fastImportCommits(
      dir,
      Array.from({ length: 5000 }, (_, i) => `feat(m${i % 7}): change ${i} ✨\n\nbody ${i}\n`),
    );
    const streamed = await collect(dir, ['HEAD']);
    const handed: RawCommit[] = [];
    await forEachLogCommit(dir, ['HEAD'], {}, (c) => {
      handed.push(c);
      return undefined;
    });
    expect(handed).toEqual(streamed);

    const first: string[] = [];
    await forEachLogCommit(dir, ['HEAD'], { dates: false }, (c) => {
      first.push(c.hash);
      return first.length < 3;
    });
    // The rest of the chunk the third commit came in is not handed on.
    expect(first).toEqual(streamed.slice(0, 3).map((c) => c.hash));
  });

  it('fails as streamLog does', async () => {
    const dir = repoWithCommits(['feat: a']);
    await expect(forEachLogCommit(dir, ['v9.9.9..HEAD'], {}, () => true)).rejects.toSatisfy((err) =>
      isCutterError(err, 'CUTTER_GIT_FAILED'),
    );
  });

  it('rejects with what the callback throws, and hands on nothing after it', async () => {
    const dir = initRepo();
    fastImportCommits(
      dir,
      Array.from({ length: 3000 }, (_, i) => `fix: ${i}\n`),
    );
    let calls = 0;
    const boom = new Error('consumer failed');
    await expect(
      forEachLogCommit(dir, ['HEAD'], {}, () => {
        if (++calls === 2) throw boom;
        return true;
      }),
    ).rejects.toBe(boom);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(2);
  });

  it('fails with a clear error when the directory does not exist', async () => {
    await expect(forEachLogCommit('/nonexistent/cutter-dir', ['HEAD'], {}, () => true)).rejects.toSatisfy((err) =>
      isCutterError(err),
    );
  });
});
