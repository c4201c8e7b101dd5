import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fastImportCommits, initRepo, removeTempDirs, repoWithCommits } from '../../test/support/temp-repo.js';
import { isCutterError } from '../core/errors.js';
import { gitPeakRssKb, resetGitPeakRss } from './child-stats.js';
import { forEachLogCommit } from './log-stream.js';
import { spoolGit } from './spooled-git.js';

afterAll(removeTempDirs);

const LOG = ['log', '-z', '--format=%H%x00%B', 'HEAD', '--'];

/** A repository whose log is several reads long. */
function bigRepo(): string {
  const dir = initRepo();
  fastImportCommits(
    dir,
    Array.from({ length: 6000 }, (_, i) => `feat(m${i % 7}): change ${i} ✨\n\n${'body '.repeat(20)}${i}\n`),
  );
  return dir;
}

async function gone(pid: number | undefined): Promise<boolean> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid!, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

/** Every chunk handed over, copied (the buffer is reused after each call). */
async function readAll(spool: NonNullable<ReturnType<typeof spoolGit>>): Promise<{ bytes: Buffer; reads: number }> {
  const chunks: Buffer[] = [];
  await spool.read((chunk) => {
    chunks.push(Buffer.from(chunk));
    return true;
  });
  return { bytes: Buffer.concat(chunks), reads: chunks.length };
}

// Each test gets its own temporary directory for the spool files, to see that none is left behind.
let spoolDir: string;
let savedTmpdir: string | undefined;
beforeEach(() => {
  spoolDir = mkdtempSync(path.join(tmpdir(), 'cutter-spool-test-'));
  savedTmpdir = process.env.TMPDIR;
  process.env.TMPDIR = spoolDir;
});
afterEach(() => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  rmSync(spoolDir, { recursive: true, force: true });
});

describe('spoolGit', () => {
  it('hands over every byte git writes, in order and in several reads, while git is still writing', async () => {
    const dir = bigRepo();
    const expected = execFileSync('git', LOG, { cwd: dir, maxBuffer: 1 << 28 });
    expect(expected.length).toBeGreaterThan(2 * 256 * 1024);
    const spool = spoolGit(dir, LOG)!;
    expect(spool).not.toBeNull();
    // The file's name is gone as soon as it is open: nothing is left behind, whatever happens next.
    expect(readdirSync(spoolDir).filter((name) => name.startsWith('cutter-git-'))).toEqual([]);
    const { bytes, reads } = await readAll(spool);
    expect(bytes.equals(expected)).toBe(true);
    expect(reads).toBeGreaterThan(1);
  });

  it('keeps what git wrote before anyone reads it: a read started after git exited gets all of it', async () => {
    const dir = bigRepo();
    const expected = execFileSync('git', LOG, { cwd: dir, maxBuffer: 1 << 28 });
    const spool = spoolGit(dir, LOG)!;
    expect(await gone(spool.pid)).toBe(true);
    const { bytes } = await readAll(spool);
    expect(bytes.equals(expected)).toBe(true);
  });

  it('stops git when the reader says so, and resolves', async () => {
    const dir = bigRepo();
    const spool = spoolGit(dir, LOG)!;
    let reads = 0;
    await spool.read(() => {
      reads++;
      return false;
    });
    expect(reads).toBe(1);
    expect(await gone(spool.pid)).toBe(true);
  });

  it('rejects with what the reader throws, and stops git', async () => {
    const dir = bigRepo();
    const spool = spoolGit(dir, LOG)!;
    await expect(
      spool.read(() => {
        throw new Error('reader broke');
      }),
    ).rejects.toThrow('reader broke');
    expect(await gone(spool.pid)).toBe(true);
  });

  it('cancel stops a git nobody reads; a read after it is refused', async () => {
    const dir = bigRepo();
    const spool = spoolGit(dir, LOG)!;
    spool.cancel();
    expect(await gone(spool.pid)).toBe(true);
    await expect(spool.read(() => true)).rejects.toThrow(/cancelled/);
    spool.cancel(); // twice is fine
  });

  it('cancel also ends a read that waits for more', async () => {
    const dir = bigRepo();
    const spool = spoolGit(dir, LOG)!;
    const reading = spool.read(() => {
      spool.cancel();
      return true;
    });
    await expect(reading).rejects.toThrow(/cancelled/);
    expect(await gone(spool.pid)).toBe(true);
  });

  it("turns git's failure into the usual CutterError, with git's message", async () => {
    const dir = repoWithCommits(['feat: a']);
    const spool = spoolGit(dir, ['log', 'v9.9.9..HEAD', '--'])!;
    await expect(spool.read(() => true)).rejects.toSatisfy(
      (err) => isCutterError(err, 'CUTTER_GIT_FAILED') && /v9\.9\.9/.test((err as Error).message),
    );
  });

  it('reports a directory that does not exist as CUTTER_NOT_A_REPO', async () => {
    const spool = spoolGit('/nonexistent/cutter-dir', LOG)!;
    await expect(spool.read(() => true)).rejects.toSatisfy((err) => isCutterError(err, 'CUTTER_NOT_A_REPO'));
  });

  it('gives null when no temporary file can be made, and the log is then read through a pipe', async () => {
    const dir = repoWithCommits(['feat: a', 'fix: b']);
    process.env.TMPDIR = path.join(spoolDir, 'missing');
    expect(spoolGit(dir, LOG)).toBeNull();
    const subjects: string[] = [];
    await forEachLogCommit(dir, ['HEAD'], {}, (c) => {
      subjects.push(c.message.trim());
      return true;
    });
    expect(subjects).toEqual(['fix: b', 'feat: a']);
  });
});

describe('spoolGit peak RSS', () => {
  it("records git's peak RSS when CUTTER_STATS_FILE asks for it, even when git ends before anyone reads", async () => {
    const dir = bigRepo();
    process.env.CUTTER_STATS_FILE = path.join(spoolDir, 'stats.json');
    try {
      resetGitPeakRss();
      const spool = spoolGit(dir, LOG)!;
      expect(await gone(spool.pid)).toBe(true);
      await readAll(spool);
      if (process.platform === 'linux') expect(gitPeakRssKb()).toBeGreaterThan(1000);
    } finally {
      delete process.env.CUTTER_STATS_FILE;
    }
  });
});
