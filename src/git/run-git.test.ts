import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, repoWithCommits, tempDir } from '../../test/support/temp-repo.js';
import { isCutterError } from '../core/errors.js';
import { runGit } from './run-git.js';

afterAll(removeTempDirs);

describe('runGit', () => {
  it('returns stdout, stderr and the exit code of a successful git', async () => {
    const dir = repoWithCommits(['feat: first']);
    const res = await runGit(dir, ['log', '--format=%s']);
    expect(res).toEqual({ stdout: 'feat: first\n', stderr: '', code: 0 });
  });

  it('passes arguments to git verbatim, never through a shell', async () => {
    const dir = repoWithCommits(['feat: first']);
    const res = await runGit(dir, ['log', '--format=format:$(touch pwned);`id`']);
    expect(res.stdout).toBe('$(touch pwned);`id`');
  });

  it('fails with CUTTER_NOT_A_REPO outside a repository', async () => {
    const dir = tempDir();
    await expect(runGit(dir, ['rev-parse', 'HEAD'], { env: { GIT_CEILING_DIRECTORIES: dir } })).rejects.toSatisfy(
      (err) => isCutterError(err, 'CUTTER_NOT_A_REPO') && err.hint !== undefined,
    );
  });

  it('fails with CUTTER_NOT_A_REPO when the directory does not exist', async () => {
    await expect(runGit('/nonexistent/cutter/dir', ['status'])).rejects.toSatisfy((err) =>
      isCutterError(err, 'CUTTER_NOT_A_REPO'),
    );
  });

  it('fails with CUTTER_GIT_FAILED quoting git stderr for other failures', async () => {
    const dir = repoWithCommits(['feat: first']);
    await expect(runGit(dir, ['rev-parse', '--verify', 'no-such-branch'])).rejects.toSatisfy(
      (err) =>
        isCutterError(err, 'CUTTER_GIT_FAILED') &&
        /exit 128/.test(err.message) &&
        /no-such-branch|Needed a single/.test(err.message),
    );
  });

  it('resolves with the exit code instead of throwing when failure is allowed', async () => {
    const dir = repoWithCommits(['feat: first']);
    const res = await runGit(dir, ['rev-parse', '-q', '--verify', 'nope'], { allowFailure: true });
    expect(res.code).toBe(1);
  });

  it('feeds input to git on stdin', async () => {
    const dir = repoWithCommits(['feat: first']);
    const res = await runGit(dir, ['hash-object', '--stdin'], { input: 'hello\n' });
    expect(res.stdout.trim()).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });
});
