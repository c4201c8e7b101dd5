import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitStore } from './git-store.js';
import { parsePackedRefs } from './ref-files.js';
import { TickBatch } from './tick-batch.js';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test Dev',
  GIT_AUTHOR_EMAIL: 'dev@acme.example',
  GIT_COMMITTER_NAME: 'Test Dev',
  GIT_COMMITTER_EMAIL: 'dev@acme.example',
  GIT_TERMINAL_PROMPT: '0',
};

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, env: ENV, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** What git itself says the refs are (tags peeled all the way to their commit): the oracle listings must equal. */
function forEachRef(bare: string): { ref: string; sha: string; type: string; peeled: string }[] {
  return git(bare, 'for-each-ref', '--format=%(refname) %(objectname) %(objecttype)', 'refs/')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [ref = '', sha = '', type = ''] = line.split(' ');
      return { ref, sha, type, peeled: git(bare, 'rev-parse', `${ref}^{}`) };
    });
}

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A sandbox root with one bare repo acme/widget and a working clone that pushes to it with the real git. */
async function repo(): Promise<{ store: GitStore; bare: string; work: string }> {
  const root = await mkdtemp(join(tmpdir(), 'ref-listing-'));
  temps.push(root);
  const store = new GitStore(root);
  await store.init('acme', 'widget', 'main');
  const bare = store.path('acme', 'widget');
  const work = join(root, 'work');
  git(root, 'init', '--quiet', '--initial-branch=main', work);
  await writeFile(join(work, 'a.txt'), 'one\n');
  git(work, 'add', 'a.txt');
  git(work, 'commit', '--quiet', '-m', 'feat: first');
  git(work, 'push', '--quiet', bare, 'main');
  return { store, bare, work };
}

async function commit(work: string, message: string): Promise<string> {
  await writeFile(join(work, 'a.txt'), `${message}\n`);
  git(work, 'commit', '--quiet', '-am', message);
  return git(work, 'rev-parse', 'HEAD');
}

describe('parsePackedRefs', () => {
  it('reads refs, their peeled commits and the traits that say what an unpeeled ref is', () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const c = 'c'.repeat(40);
    const parsed = parsePackedRefs(
      `# pack-refs with: peeled sorted \n${a} refs/heads/main\n${b} refs/tags/v1\n^${c}\n${a} refs/tags/v2\n`,
    );
    expect([...parsed.traits].sort()).toEqual(['peeled', 'sorted']);
    expect(parsed.refs.get('refs/tags/v1')).toEqual({ oid: b, peeled: c, peelKnown: true });
    // with `peeled` only tags are known to be unpeelable; a branch must be asked
    expect(parsed.refs.get('refs/tags/v2')).toEqual({ oid: a, peelKnown: true });
    expect(parsed.refs.get('refs/heads/main')).toEqual({ oid: a, peelKnown: false });
  });

  it('ignores lines that are not refs and a peel line with no ref before it', () => {
    const a = 'a'.repeat(40);
    const parsed = parsePackedRefs(`^${a}\nnot a ref\n${a.slice(1)} refs/heads/short\n${a} refs/heads/ok\n\n`);
    expect([...parsed.refs.keys()]).toEqual(['refs/heads/ok']);
    expect(parsed.traits.size).toBe(0);
  });
});

describe('GitStore ref listings read from git files', () => {
  it('sees a tag written by a real git push after a cached read, with no invalidation', async () => {
    const { store, bare, work } = await repo();
    expect((await store.listRefs('acme', 'widget', 'refs/tags/')).map((r) => r.ref)).toEqual([]);
    git(work, 'tag', 'v1.0.0');
    git(work, 'push', '--quiet', bare, 'v1.0.0');
    expect(await store.listRefs('acme', 'widget')).toEqual(forEachRef(bare));
    // a ref in a nested directory changes only that directory
    git(work, 'push', '--quiet', bare, 'HEAD:refs/tags/team/v2.0.0');
    const listed = await store.listRefs('acme', 'widget', 'refs/tags/');
    expect(listed.map((r) => r.ref)).toEqual(['refs/tags/team/v2.0.0', 'refs/tags/v1.0.0']);
    expect(await store.listRefs('acme', 'widget')).toEqual(forEachRef(bare));
  });

  it('lets a loose ref override its packed value, and sees a later repack', async () => {
    const { store, bare, work } = await repo();
    git(bare, 'pack-refs', '--all');
    const packed = await store.listRefs('acme', 'widget', 'refs/heads/');
    const second = await commit(work, 'fix: second');
    git(work, 'push', '--quiet', bare, 'main');
    const loose = await store.listRefs('acme', 'widget', 'refs/heads/');
    expect(loose).not.toEqual(packed);
    expect(loose[0]?.sha).toBe(second);
    expect(await store.listRefs('acme', 'widget')).toEqual(forEachRef(bare));
    git(bare, 'pack-refs', '--all');
    expect(await store.listRefs('acme', 'widget')).toEqual(forEachRef(bare));
    git(bare, 'update-ref', '-d', 'refs/heads/main');
    expect(await store.listRefs('acme', 'widget')).toEqual([]);
  });

  it('peels an annotated tag (and a tag of a tag) to its commit, loose and packed', async () => {
    const { store, bare, work } = await repo();
    const head = git(work, 'rev-parse', 'HEAD');
    git(work, 'tag', '-a', '-m', 'release 1.0.0', 'v1.0.0');
    git(work, 'tag', '-a', '-m', 'again', 'v1.0.0-again', 'v1.0.0');
    git(work, 'push', '--quiet', bare, '--tags');
    const loose = await store.listRefs('acme', 'widget', 'refs/tags/');
    expect(loose.map((r) => [r.ref, r.type, r.peeled])).toEqual([
      ['refs/tags/v1.0.0', 'tag', head],
      ['refs/tags/v1.0.0-again', 'tag', head],
    ]);
    expect(loose[0]?.sha).toBe(git(bare, 'rev-parse', 'v1.0.0'));
    expect(await store.listRefs('acme', 'widget')).toEqual(forEachRef(bare));
    git(bare, 'pack-refs', '--all');
    expect(await store.listRefs('acme', 'widget')).toEqual(forEachRef(bare));
  });

  it('leaves out a ref to an object the repo does not have, as git for-each-ref does', async () => {
    const { store, bare } = await repo();
    await writeFile(join(bare, 'refs', 'heads', 'broken'), `${'d'.repeat(40)}\n`);
    const listed = await store.listRefs('acme', 'widget');
    expect(listed.map((r) => r.ref)).toEqual(['refs/heads/main']);
  });

  it('answers many repos asked in one turn together, each with its own refs', async () => {
    const a = await repo();
    const root = a.store.root;
    await a.store.init('acme', 'empty', 'main');
    const [widget, empty, missing] = await Promise.all([
      a.store.listRefs('acme', 'widget'),
      a.store.listRefs('acme', 'empty'),
      a.store.listRefs('acme', 'no-such-repo'),
    ]);
    expect(widget).toEqual(forEachRef(a.bare));
    expect(empty).toEqual([]);
    expect(missing).toEqual([]);
    expect(root).toBe(a.store.root);
  });

  it('reads commits of several repos asked in one turn, and none for a sha that is not there', async () => {
    const { store, work } = await repo();
    const head = git(work, 'rev-parse', 'HEAD');
    const [found, none] = await Promise.all([
      store.readCommit('acme', 'widget', head),
      store.readCommit('acme', 'widget', 'e'.repeat(40)),
    ]);
    expect(found?.message).toBe('feat: first\n');
    expect(none).toBeNull();
  });
});

describe('TickBatch', () => {
  it('answers the calls of one turn with one load, rejecting only the keys that failed', async () => {
    const loads: number[][] = [];
    const batch = new TickBatch<number, number>(async (keys) => {
      loads.push(keys);
      return keys.map((k) =>
        k < 0 ? { status: 'rejected', reason: new Error(`bad ${k}`) } : { status: 'fulfilled', value: k * 2 },
      );
    });
    const results = await Promise.allSettled([batch.load(1), batch.load(-1), batch.load(3)]);
    expect(loads).toEqual([[1, -1, 3]]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual([
      2,
      'Error: bad -1',
      6,
    ]);
    expect(await batch.load(5)).toBe(10);
    expect(loads).toHaveLength(2);
  });
});
