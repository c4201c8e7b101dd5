// `cutter … | head`: a reader that closes the pipe early must not make Cutter crash with an EPIPE stack trace.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { CUTTER_BIN } from './support/ensure-built.js';
import { fastImportCommits, GIT_TEST_ENV, initRepo, removeTempDirs } from './support/temp-repo.js';

afterAll(removeTempDirs);

/** Runs the CLI with stdout on a real pipe whose reading end is closed after `keepBytes` bytes (0: at once). */
function runIntoClosedPipe(args: string[], keepBytes: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CUTTER_BIN, ...args], {
      env: { ...process.env, ...GIT_TEST_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    let seen = 0;
    if (keepBytes === 0) child.stdout.destroy();
    else
      child.stdout.on('data', (c: Buffer) => {
        seen += c.length;
        if (seen >= keepBytes) child.stdout.destroy();
      });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr: Buffer.concat(stderr).toString('utf8') }));
  });
}

describe('output into a pipe the reader closed', () => {
  it('--help ends quietly with status 0', async () => {
    const run = await runIntoClosedPipe(['release', '--help'], 0);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  }, 60_000);

  it('a long dry run ends quietly when the reader stops after the first bytes', async () => {
    // Notes far larger than a pipe's buffer, so the write surely meets the closed end.
    const repo = initRepo();
    fastImportCommits(
      repo,
      Array.from({ length: 3000 }, (_, i) => `feat(area${i}): add feature number ${i}`),
    );
    const run = await runIntoClosedPipe(['release', '--dry-run', '--cwd', repo], 1);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  }, 60_000);
});
