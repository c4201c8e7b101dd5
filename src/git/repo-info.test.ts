import { afterAll, describe, expect, it } from 'vitest';
import { commit, git, initRepo, removeTempDirs, repoWithCommits, tempDir } from '../../test/support/temp-repo.js';
import { isCutterError } from '../core/errors.js';
import { headSha, isShallow, readRepoInfo } from './repo-info.js';

afterAll(removeTempDirs);

describe('readRepoInfo', () => {
  it('reads root, head, branch and the credential-free web URL of origin', async () => {
    const dir = repoWithCommits(['feat: first']);
    git(dir, ['remote', 'add', 'origin', 'https://bot:ghp_secretsecretsecret1234@github.com/acme/connector-x.git']);
    const info = await readRepoInfo(dir);
    expect(info).toEqual({
      root: git(dir, ['rev-parse', '--show-toplevel']),
      head: git(dir, ['rev-parse', 'HEAD']),
      branch: 'main',
      shallow: false,
      repoUrl: 'https://github.com/acme/connector-x',
    });
  });

  it('works on a detached HEAD, reporting no branch', async () => {
    const dir = repoWithCommits(['feat: first', 'fix: second']);
    git(dir, ['checkout', '-q', '--detach', 'HEAD~1']);
    const info = await readRepoInfo(dir);
    expect(info.branch).toBeNull();
    expect(info.head).toBe(git(dir, ['rev-parse', 'HEAD']));
  });

  it('has no repoUrl without a remote', async () => {
    expect((await readRepoInfo(repoWithCommits(['x']))).repoUrl).toBeNull();
  });

  it('fails with CUTTER_EMPTY_REPO when nothing was committed yet', async () => {
    const dir = initRepo();
    await expect(readRepoInfo(dir)).rejects.toSatisfy((err) => isCutterError(err, 'CUTTER_EMPTY_REPO'));
    await expect(headSha(dir)).rejects.toSatisfy((err) => isCutterError(err, 'CUTTER_EMPTY_REPO'));
  });

  it('fails with CUTTER_NOT_A_REPO in a plain directory', async () => {
    const dir = tempDir();
    const prev = process.env['GIT_CEILING_DIRECTORIES'];
    process.env['GIT_CEILING_DIRECTORIES'] = dir;
    try {
      await expect(headSha(dir)).rejects.toSatisfy((err) => isCutterError(err, 'CUTTER_NOT_A_REPO'));
    } finally {
      if (prev === undefined) delete process.env['GIT_CEILING_DIRECTORIES'];
      else process.env['GIT_CEILING_DIRECTORIES'] = prev;
    }
  });

  it('detects a shallow clone', async () => {
    const origin = repoWithCommits(['feat: a', 'fix: b', 'fix: c']);
    const clone = tempDir();
    git(clone, ['clone', '-q', '--depth', '1', `file://${origin}`, '.']);
    expect(await isShallow(clone)).toBe(true);
    expect(await isShallow(origin)).toBe(false);
    commit(origin, 'fix: d');
  });
});
