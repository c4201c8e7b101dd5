import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCutterError } from '../core/errors.js';
import { generateOrg } from './orgs/generated.js';
import { bareRepoPath } from './reader.js';
import { isValidRefName, type OrgSpec, readSeededRepo, seedOrg } from './seed.js';

const roots: string[] = [];
async function freshRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'cutter-seed-'));
  roots.push(root);
  return root;
}
afterAll(async () => {
  await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
});

function git(repo: string, ...args: string[]): string {
  const res = spawnSync('git', ['--git-dir', repo, ...args], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`git ${args.join(' ')}: ${res.stderr}`);
  return res.stdout.trim();
}

const SMALL: OrgSpec = {
  org: 'tiny',
  repos: [
    {
      name: 'connector-one',
      description: 'The first connector',
      topics: ['connector'],
      startDate: '2024-03-01T10:00:00Z',
      history: [
        { commit: 'feat: initial import', files: { 'README.md': '# one\n', 'src/index.ts': 'export {};\n' } },
        { tag: 'v1.0.0', annotated: true, message: 'First release' },
        { commit: 'fix: handle empty pages', author: { name: 'Ada', email: 'ada@example.com' } },
        { tag: 'latest' },
        { branch: 'release-1.0', from: 'v1.0.0' },
        { commit: 'fix: backport', date: '2024-05-01T00:00:00Z' },
        { tag: 'v1.0.1' },
        { checkout: 'main' },
        { branch: 'feature/x' },
        { commit: 'feat: x', files: { 'x.txt': 'x\n', 'README.md': null } },
        { checkout: 'main' },
        { merge: 'feature/x', message: 'Merge pull request #7 from tiny/feature/x' },
      ],
      releases: [{ tag: 'v1.0.0', body: 'notes' }],
    },
    { name: 'empty', history: [] },
    { name: 'trunk-based', defaultBranch: 'trunk', archived: true, history: [{ commit: 'chore: init' }] },
  ],
};

describe('seedOrg', () => {
  it('builds bare repos with the commits, authors and dates the spec describes', async () => {
    const root = await freshRoot();
    const [one] = await seedOrg(root, SMALL);
    const repo = bareRepoPath(root, 'tiny', 'connector-one');
    expect(one!.path).toBe(repo);
    // main: import, fix, merge (+ feat:x via the merge's second parent) = 4 commits reachable
    expect(git(repo, 'rev-list', '--count', 'main')).toBe('4');
    expect(git(repo, 'rev-list', '--count', 'release-1.0')).toBe('2');
    expect(git(repo, 'log', '-1', '--format=%an <%ae> %cI', 'main~1')).toBe(
      'Ada <ada@example.com> 2024-03-01T11:00:00+00:00',
    );
    expect(git(repo, 'log', '-1', '--format=%cI', 'v1.0.1')).toBe('2024-05-01T00:00:00+00:00');
    expect(git(repo, 'log', '-1', '--format=%P', 'main').split(' ')).toHaveLength(2);
    expect(git(repo, 'symbolic-ref', 'HEAD')).toBe('refs/heads/main');
    expect(one!.heads['main']).toBe(git(repo, 'rev-parse', 'main'));
    expect(one!.commitCount).toBe(5);
  });

  it('writes annotated tags as tag objects and lightweight tags as plain refs', async () => {
    const root = await freshRoot();
    const [one] = await seedOrg(root, SMALL);
    const repo = one!.path;
    expect(git(repo, 'cat-file', '-t', 'refs/tags/v1.0.0')).toBe('tag');
    expect(git(repo, 'cat-file', '-t', 'refs/tags/latest')).toBe('commit');
    expect(git(repo, 'for-each-ref', '--format=%(contents:subject)', 'refs/tags/v1.0.0')).toBe('First release');
    expect(one!.tags['v1.0.0']).toEqual({
      oid: git(repo, 'rev-parse', 'refs/tags/v1.0.0'),
      commitOid: git(repo, 'rev-parse', 'v1.0.0^{commit}'),
      annotated: true,
    });
    expect(one!.tags['latest']!.commitOid).toBe(git(repo, 'rev-parse', 'main~1'));
  });

  it('applies file changes, deletions and merges to the tree', async () => {
    const root = await freshRoot();
    const [one] = await seedOrg(root, SMALL);
    const files = git(one!.path, 'ls-tree', '-r', '--name-only', 'main').split('\n');
    expect(files).toContain('x.txt');
    expect(files).toContain('src/index.ts');
    expect(files).not.toContain('README.md');
  });

  it('records metadata git cannot hold and reads it back', async () => {
    const root = await freshRoot();
    const seeded = await seedOrg(root, SMALL);
    const back = await readSeededRepo(root, 'tiny', 'connector-one');
    expect(back).toEqual({ ...seeded[0], skipped: true });
    expect(back.full_name).toBe('tiny/connector-one');
    expect(back.node_id).toBe(Buffer.from(`010:Repository${back.id}`).toString('base64'));
    expect(back.releases[0]).toMatchObject({ tag_name: 'v1.0.0', body: 'notes', draft: false });
    expect(seeded[2]).toMatchObject({ default_branch: 'trunk', archived: true });
    expect(git(seeded[2]!.path, 'symbolic-ref', 'HEAD')).toBe('refs/heads/trunk');
  });

  it('makes repos that real git clones, pushes to and checks, though they share one object store', async () => {
    const root = await freshRoot();
    const [one] = await seedOrg(root, SMALL);
    const work = join(root, 'work');
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 'T',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 'T',
      GIT_COMMITTER_EMAIL: 't@example.com',
    };
    const run = (cwd: string, ...args: string[]) => {
      const res = spawnSync('git', args, { cwd, env, encoding: 'utf8' });
      if (res.status !== 0) throw new Error(`git ${args.join(' ')}: ${res.stderr}`);
      return res.stdout.trim();
    };
    run(root, 'clone', '--quiet', one!.path, work);
    expect(run(work, 'tag', '--list').split('\n')).toEqual(['latest', 'v1.0.0', 'v1.0.1']);
    run(work, 'commit', '--quiet', '--allow-empty', '-m', 'fix: pushed later');
    run(work, 'push', '--quiet', 'origin', 'main');
    expect(git(one!.path, 'log', '-1', '--format=%s', 'main')).toBe('fix: pushed later');
    expect(git(one!.path, 'fsck', '--no-dangling')).toBe('');
    // a gc inside one repo must not lose the objects it borrows
    git(one!.path, 'gc', '--quiet');
    expect(git(one!.path, 'rev-list', '--count', 'main')).toBe('5');
  });

  it('creates an empty repository when the history is empty', async () => {
    const root = await freshRoot();
    const seeded = await seedOrg(root, SMALL);
    expect(seeded[1]).toMatchObject({ commitCount: 0, heads: {}, tags: {} });
    expect(git(seeded[1]!.path, 'for-each-ref')).toBe('');
  });

  it('gives the same ids and commit hashes on every run', async () => {
    const [a, b] = await Promise.all([freshRoot(), freshRoot()]);
    const [x] = await seedOrg(a, SMALL);
    const [y] = await seedOrg(b, SMALL);
    expect(y!.id).toBe(x!.id);
    expect(y!.heads).toEqual(x!.heads);
    expect(y!.tags).toEqual(x!.tags);
  });

  it('refuses to seed over existing repositories and leaves them untouched', async () => {
    const root = await freshRoot();
    const first = await seedOrg(root, SMALL);
    const err = await seedOrg(root, SMALL).catch((e: unknown) => e);
    expect(isCutterError(err, 'CUTTER_REFUSED')).toBe(true);
    expect(git(first[0]!.path, 'rev-parse', 'main')).toBe(first[0]!.heads['main']);
  });

  it("skips existing repositories with onExisting: 'skip' and seeds only the new ones", async () => {
    const root = await freshRoot();
    await seedOrg(root, { org: 'tiny', repos: [SMALL.repos[0]!] });
    const again = await seedOrg(root, SMALL, { onExisting: 'skip' });
    expect(again.map((r) => r.skipped)).toEqual([true, false, false]);
  });

  describe('bad input', () => {
    const bad = async (spec: unknown, fragment: RegExp) => {
      const root = await freshRoot();
      const err = await seedOrg(root, spec as OrgSpec).catch((e: unknown) => e);
      expect(isCutterError(err, 'CUTTER_BAD_INPUT'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(fragment);
    };
    const repo = (history: unknown[], extra: object = {}) => ({ org: 'o', repos: [{ name: 'r', history, ...extra }] });

    it('rejects an invalid org login', () => bad({ org: 'a b', repos: [] }, /org/));
    it('rejects a repository name with a slash', () =>
      bad({ org: 'o', repos: [{ name: 'a/b', history: [] }] }, /name/));
    it('rejects the same repository twice', () =>
      bad(
        {
          org: 'o',
          repos: [
            { name: 'r', history: [] },
            { name: 'R', history: [] },
          ],
        },
        /twice/,
      ));
    it('rejects a tag before any commit', () => bad(repo([{ tag: 'v1.0.0' }]), /nothing to tag/));
    it('rejects a duplicate tag', () => bad(repo([{ commit: 'a' }, { tag: 'v1' }, { tag: 'v1' }]), /already exists/));
    it('rejects tag names git would refuse', async () => {
      for (const tag of ['../x', 'a b', 'x.lock', 'a\u0001b', 'a..b', 'x~1']) {
        await bad(repo([{ commit: 'a' }, { tag }]), /invalid tag name/);
      }
    });
    it('rejects unsafe file paths', () => bad(repo([{ commit: 'a', files: { '../evil': 'x' } }]), /unsafe file path/));
    it('rejects checking out an unknown branch', () =>
      bad(repo([{ commit: 'a' }, { checkout: 'nope' }]), /does not exist/));
    it('rejects merging an unknown branch', () => bad(repo([{ commit: 'a' }, { merge: 'nope' }]), /no such branch/));
    it('rejects a release whose tag the history never creates', () =>
      bad(repo([{ commit: 'a' }], { releases: [{ tag: 'v9' }] }), /release "v9"/));
    it('rejects an unparseable date', () => bad(repo([{ commit: 'a', date: 'yesterday' }]), /ISO-8601/));
    it('rejects an unknown step shape', () => bad(repo([{ push: 'x' }]), /history/));
  });

  it('validates ref names like git check-ref-format', () => {
    for (const ok of ['refs/tags/v1.2.3', 'refs/heads/release-1.x', 'refs/tags/pkg@1.0.0']) {
      expect(isValidRefName(ok)).toBe(true);
      expect(spawnSync('git', ['check-ref-format', ok]).status).toBe(0);
    }
    for (const bad of ['refs/tags/../x', 'refs/tags/a b', 'refs/tags/x.lock', 'refs/tags/.x', 'refs/tags/a@{1}']) {
      expect(isValidRefName(bad)).toBe(false);
      expect(spawnSync('git', ['check-ref-format', bad]).status).not.toBe(0);
    }
  });
});

describe('generateOrg', () => {
  it('is deterministic for a given seed and differs across seeds', () => {
    const a = generateOrg({ org: 'big', connectors: 50, others: 5, seed: 7 });
    expect(generateOrg({ org: 'big', connectors: 50, others: 5, seed: 7 })).toEqual(a);
    expect(generateOrg({ org: 'big', connectors: 50, others: 5, seed: 8 })).not.toEqual(a);
    expect(a.repos.filter((r) => r.name.startsWith('connector-'))).toHaveLength(50);
    expect(a.repos).toHaveLength(55);
  });

  it('seeds 1,000 connectors and 20 other repos in under a minute', async () => {
    const root = await freshRoot();
    const spec = generateOrg({ org: 'big', connectors: 1000, others: 20, seed: 42 });
    const started = performance.now();
    const seeded = await seedOrg(root, spec);
    const seconds = (performance.now() - started) / 1000;
    console.log(`seeded ${seeded.length} repos in ${seconds.toFixed(1)} s`);
    expect(seeded).toHaveLength(1020);
    expect(seconds).toBeLessThan(60);
    const sample = seeded[500]!;
    expect(git(sample.path, 'rev-parse', 'main')).toBe(sample.heads['main']);
  }, 120_000);
});
