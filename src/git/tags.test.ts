import { afterAll, describe, expect, it } from 'vitest';
import { commit, git, initRepo, removeTempDirs, repoWithCommits, tempDir } from '../../test/support/temp-repo.js';
import { isCutterError } from '../core/errors.js';
import {
  createAnnotatedTag,
  latestReleaseTag,
  likelyReleaseTag,
  pushTag,
  releaseTagsAnywhere,
  tagCommit,
} from './tags.js';

afterAll(removeTempDirs);

describe('latestReleaseTag', () => {
  it('picks the highest version by SemVer order, not by date or name', async () => {
    const dir = initRepo();
    const a = commit(dir, 'feat: a');
    git(dir, ['tag', 'v1.10.0']);
    commit(dir, 'fix: b');
    git(dir, ['tag', 'v1.9.0']); // newer commit, lower version
    commit(dir, 'fix: c');
    const res = await latestReleaseTag(dir, 'v{version}');
    expect(res.latest).toEqual({ tag: 'v1.10.0', version: '1.10.0', commit: a });
  });

  it('ignores tags on side branches that HEAD cannot reach', async () => {
    const dir = initRepo();
    const base = commit(dir, 'feat: base');
    git(dir, ['tag', 'v1.0.0']);
    git(dir, ['checkout', '-q', '-b', 'side']);
    commit(dir, 'feat: side work');
    git(dir, ['tag', 'v2.0.0']);
    git(dir, ['checkout', '-q', 'main']);
    commit(dir, 'fix: main work');
    const res = await latestReleaseTag(dir, 'v{version}');
    expect(res.latest).toEqual({ tag: 'v1.0.0', version: '1.0.0', commit: base });
  });

  it('likelyReleaseTag guesses without the reachability walk: right on a line, wrong past a side branch', async () => {
    const dir = initRepo();
    const base = commit(dir, 'feat: base');
    git(dir, ['tag', '-a', '-m', 'Release 1.0.0', 'v1.0.0']);
    expect(await likelyReleaseTag(dir, 'v{version}')).toEqual({ tag: 'v1.0.0', version: '1.0.0', commit: base });
    git(dir, ['checkout', '-q', '-b', 'side']);
    const side = commit(dir, 'feat: side work');
    git(dir, ['tag', 'v2.0.0']);
    git(dir, ['checkout', '-q', 'main']);
    // A guess only: callers confirm it with latestReleaseTag, which answers v1.0.0 here.
    expect((await likelyReleaseTag(dir, 'v{version}'))?.commit).toBe(side);
    expect((await latestReleaseTag(dir, 'v{version}')).latest?.commit).toBe(base);
  });

  it('releaseTagsAnywhere picks among every tag and lists every foreign one, reachable or not', async () => {
    const dir = initRepo();
    commit(dir, 'feat: base');
    git(dir, ['tag', 'v1.0.0']);
    git(dir, ['tag', 'latest']);
    git(dir, ['checkout', '-q', '-b', 'side']);
    const side = commit(dir, 'feat: side work');
    git(dir, ['tag', 'v2.0.0']);
    git(dir, ['tag', 'side-build']);
    git(dir, ['checkout', '-q', 'main']);
    commit(dir, 'fix: main work');
    const anywhere = await releaseTagsAnywhere(dir, 'v{version}');
    expect(anywhere).toEqual({
      latest: { tag: 'v2.0.0', version: '2.0.0', commit: side },
      foreign: ['latest', 'side-build'],
      reachable: 4,
    });
    // What HEAD reaches is a subset: the best of all is the answer only when HEAD reaches it.
    expect(await latestReleaseTag(dir, 'v{version}')).toMatchObject({ latest: { tag: 'v1.0.0' }, foreign: ['latest'] });
  });

  it('handles several tags on one commit, lightweight and annotated alike', async () => {
    const dir = initRepo();
    const sha = commit(dir, 'feat: a');
    git(dir, ['tag', 'v1.0.0']);
    git(dir, ['tag', '-a', '-m', 'release 1.1.0', 'v1.1.0']);
    git(dir, ['tag', 'latest']);
    const res = await latestReleaseTag(dir, 'v{version}');
    expect(res.latest).toEqual({ tag: 'v1.1.0', version: '1.1.0', commit: sha });
    expect(res.foreign).toEqual(['latest']);
    expect(res.reachable).toBe(3);
  });

  it('peels an annotated tag to its commit', async () => {
    const dir = initRepo();
    const sha = commit(dir, 'feat: a');
    git(dir, ['tag', '-a', '-m', 'annotated', 'v2.0.0']);
    expect(git(dir, ['rev-parse', 'v2.0.0'])).not.toBe(sha); // the tag object itself
    expect((await latestReleaseTag(dir, 'v{version}')).latest?.commit).toBe(sha);
  });

  it('reports foreign tags and returns null when no tag follows the template', async () => {
    const dir = repoWithCommits(['feat: a']);
    git(dir, ['tag', 'latest']);
    git(dir, ['tag', 'release-2020']);
    const res = await latestReleaseTag(dir, 'v{version}');
    expect(res).toEqual({ latest: null, foreign: ['latest', 'release-2020'], reachable: 2 });
  });

  it('returns null when the repository has no tags at all', async () => {
    const res = await latestReleaseTag(repoWithCommits(['feat: a']), 'v{version}');
    expect(res).toEqual({ latest: null, foreign: [], reachable: 0 });
  });

  it('follows other templates such as t{version} and {package}@{version}', async () => {
    const dir = repoWithCommits(['feat: a']);
    for (const t of ['t1.2.0', 'v9.0.0', 'api@3.0.0', 'web@4.0.0']) git(dir, ['tag', t]);
    expect((await latestReleaseTag(dir, 't{version}')).latest?.tag).toBe('t1.2.0');
    expect((await latestReleaseTag(dir, '{package}@{version}', { package: 'api' })).latest?.tag).toBe('api@3.0.0');
  });

  it('skips prerelease tags unless asked to include them', async () => {
    const dir = repoWithCommits(['feat: a']);
    git(dir, ['tag', 'v1.0.0']);
    git(dir, ['tag', 'v1.1.0-beta.1']);
    expect((await latestReleaseTag(dir, 'v{version}')).latest?.tag).toBe('v1.0.0');
    expect((await latestReleaseTag(dir, 'v{version}', { includePrerelease: true })).latest?.tag).toBe('v1.1.0-beta.1');
  });

  it('treats tag names with shell metacharacters as foreign, running nothing', async () => {
    const dir = repoWithCommits(['feat: a']);
    git(dir, ['tag', 'v1.0.0;rm-rf-x']);
    git(dir, ['tag', '$(touch$IFS-pwned)']);
    git(dir, ['tag', '`touch`pwned']);
    const res = await latestReleaseTag(dir, 'v{version}');
    expect(res.latest).toBeNull();
    expect(res.foreign.sort()).toEqual(['$(touch$IFS-pwned)', '`touch`pwned', 'v1.0.0;rm-rf-x'].sort());
    expect(git(dir, ['status', '--porcelain'])).toBe('');
  });

  it('stays fast with thousands of tags (one git process lists them)', async () => {
    const dir = repoWithCommits(['feat: a']);
    const head = git(dir, ['rev-parse', 'HEAD']);
    const lines = Array.from({ length: 3000 }, (_, i) => `create refs/tags/v1.${i}.0 ${head}`).join('\n');
    git(dir, ['update-ref', '--stdin'], { input: `${lines}\n` });
    const started = Date.now();
    const res = await latestReleaseTag(dir, 'v{version}');
    expect(res.latest?.tag).toBe('v1.2999.0');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('createAnnotatedTag', () => {
  it('creates an annotated tag with the message on the given commit', async () => {
    const dir = repoWithCommits(['feat: a']);
    const sha = git(dir, ['rev-parse', 'HEAD']);
    const res = await createAnnotatedTag(dir, 'v1.0.0', sha, '## 1.0.0\n\n- **api:** a\n');
    expect(res).toEqual({ name: 'v1.0.0', commit: sha, adopted: false });
    expect(git(dir, ['cat-file', '-t', 'v1.0.0'])).toBe('tag');
    expect(git(dir, ['tag', '-l', '--format=%(contents)', 'v1.0.0'])).toBe('## 1.0.0\n\n- **api:** a');
  });

  it('adopts an existing tag on the same commit instead of failing', async () => {
    const dir = repoWithCommits(['feat: a']);
    const sha = git(dir, ['rev-parse', 'HEAD']);
    git(dir, ['tag', 'v1.0.0']);
    expect(await createAnnotatedTag(dir, 'v1.0.0', sha, 'notes')).toEqual({
      name: 'v1.0.0',
      commit: sha,
      adopted: true,
    });
  });

  it('refuses with CUTTER_TAG_CONFLICT when the tag exists on another commit, and never moves it', async () => {
    const dir = initRepo();
    const first = commit(dir, 'feat: a');
    git(dir, ['tag', 'v1.0.0']);
    const second = commit(dir, 'fix: b');
    await expect(createAnnotatedTag(dir, 'v1.0.0', second, 'notes')).rejects.toSatisfy(
      (err) => isCutterError(err, 'CUTTER_TAG_CONFLICT') && err.message.includes(first.slice(0, 7)),
    );
    expect(await tagCommit(dir, 'v1.0.0')).toBe(first);
  });

  it('refuses tag names git would not accept or would read as options', async () => {
    const dir = repoWithCommits(['feat: a']);
    const sha = git(dir, ['rev-parse', 'HEAD']);
    for (const bad of ['$(touch pwned)', 'v1.0.0;rm -rf x', '--delete', 'a..b']) {
      await expect(createAnnotatedTag(dir, bad, sha, 'm')).rejects.toSatisfy((err) =>
        isCutterError(err, 'CUTTER_INVALID_TAG'),
      );
    }
    expect(git(dir, ['tag'])).toBe('');
  });

  it('refuses a revision that is not a commit sha', async () => {
    const dir = repoWithCommits(['feat: a']);
    await expect(createAnnotatedTag(dir, 'v1.0.0', 'main;id', 'm')).rejects.toSatisfy((err) =>
      isCutterError(err, 'CUTTER_BAD_INPUT'),
    );
    await expect(createAnnotatedTag(dir, 'v1.0.0', 'deadbeef', 'm')).rejects.toSatisfy((err) =>
      isCutterError(err, 'CUTTER_NOT_FOUND'),
    );
  });
});

describe('pushTag', () => {
  it('pushes a tag to a bare remote, and pushing it again is a no-op', async () => {
    const remote = tempDir();
    git(remote, ['init', '-q', '--bare']);
    const dir = repoWithCommits(['feat: a']);
    git(dir, ['remote', 'add', 'origin', remote]);
    const sha = git(dir, ['rev-parse', 'HEAD']);
    await createAnnotatedTag(dir, 'v1.0.0', sha, 'notes');
    await pushTag(dir, 'origin', 'v1.0.0');
    await pushTag(dir, 'origin', 'v1.0.0');
    expect(git(remote, ['rev-parse', 'v1.0.0^{commit}'])).toBe(sha);
  });

  it('fails with CUTTER_TAG_CONFLICT when the remote has the tag on another commit', async () => {
    const remote = tempDir();
    git(remote, ['init', '-q', '--bare']);
    const other = repoWithCommits(['feat: elsewhere']);
    git(other, ['tag', 'v1.0.0']);
    git(other, ['push', '-q', remote, 'refs/tags/v1.0.0']);
    const dir = repoWithCommits(['feat: here']);
    git(dir, ['tag', 'v1.0.0']);
    await expect(pushTag(dir, remote, 'v1.0.0')).rejects.toSatisfy((err) => isCutterError(err, 'CUTTER_TAG_CONFLICT'));
  });

  it('refuses a remote that git would read as an option', async () => {
    const dir = repoWithCommits(['feat: a']);
    git(dir, ['tag', 'v1.0.0']);
    await expect(pushTag(dir, '--receive-pack=touch pwned', 'v1.0.0')).rejects.toSatisfy((err) =>
      isCutterError(err, 'CUTTER_BAD_INPUT'),
    );
  });
});
