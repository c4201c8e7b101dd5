import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, repoWithCommits } from '../../test/support/temp-repo.js';
import { startEarlyHeadLog, takeEarlyHeadLog } from './early-head-log.js';

afterAll(removeTempDirs);

/** What `startEarlyHeadLog` would start for `args` (after `cutter`): the directory, or null for nothing. */
function startedFor(args: string[], probe: string): boolean {
  startEarlyHeadLog(['node', 'cutter', ...args]);
  const log = takeEarlyHeadLog(probe);
  log?.cancel();
  return log !== null;
}

describe('startEarlyHeadLog', () => {
  it('starts the log of HEAD for a local release or changelog, in the directory the options name', async () => {
    const dir = repoWithCommits(['feat: a', 'fix: b']);
    startEarlyHeadLog(['node', 'cutter', 'release', '--dry-run', '--cwd', dir]);
    const log = takeEarlyHeadLog(dir);
    expect(log).not.toBeNull();
    const subjects: string[] = [];
    await log!.forEachCommit((c) => {
      subjects.push(c.message.trim());
      return true;
    });
    expect(subjects).toEqual(['fix: b', 'feat: a']);
    // Handed out once.
    expect(takeEarlyHeadLog(dir)).toBeNull();
  });

  it('reads --cwd, --cwd=, -C and -C<dir> as commander does (the last one wins)', () => {
    const dir = repoWithCommits(['feat: a']);
    const other = repoWithCommits(['feat: b']);
    expect(startedFor(['release', '--cwd', dir], dir)).toBe(true);
    expect(startedFor(['release', `--cwd=${dir}`, '--json'], dir)).toBe(true);
    expect(startedFor(['changelog', '-C', dir], dir)).toBe(true);
    expect(startedFor(['changelog', `-C${dir}`], dir)).toBe(true);
    expect(startedFor(['release', '--cwd', other, '--cwd', dir], dir)).toBe(true);
    // A relative directory is the same directory.
    expect(startedFor(['release', '--cwd', path.relative(process.cwd(), dir)], dir)).toBe(true);
  });

  it('starts nothing for other commands, a remote release, help, or a missing --cwd value', () => {
    const dir = repoWithCommits(['feat: a']);
    expect(startedFor(['lint', '--cwd', dir], dir)).toBe(false);
    expect(startedFor(['release', '--repo', 'acme/x', '--cwd', dir], dir)).toBe(false);
    expect(startedFor(['release', '--cwd', dir, '--help'], dir)).toBe(false);
    expect(startedFor(['release', '--cwd'], process.cwd())).toBe(false);
    expect(startedFor([], process.cwd())).toBe(false);
  });

  it('hands nothing to a plan for another directory (and stops the log it guessed)', () => {
    const dir = repoWithCommits(['feat: a']);
    const other = repoWithCommits(['feat: b']);
    startEarlyHeadLog(['node', 'cutter', 'release', '--cwd', dir]);
    expect(takeEarlyHeadLog(other)).toBeNull();
    // The guess is gone too: a later plan for `dir` starts its own log.
    expect(takeEarlyHeadLog(dir)).toBeNull();
  });
});
