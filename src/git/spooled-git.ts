// Runs a git command whose stdout goes to an unlinked temporary file, read back in large blocks as it grows.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gitPeakRssWanted, sampleGitPeakRss } from './child-stats.js';
import { gitEnv, streamedGitFailure } from './run-git.js';

// Why a file and not a pipe: git writes its buffered stdout in 4 KiB blocks. Through a pipe each block wakes the
// reader (about 7,000 reads and 'data' events for a 100k-commit log, ~150 ms of CPU here), the pipe holds a few
// dozen KiB, so git stalls whenever the reader is busy, and git cannot start before someone reads. Into a file
// git writes at its own pace from the moment it starts, and the reader takes a megabyte per read.

/** Bytes per read: large enough that reads are few, small enough to stay cheap next to what they hold. */
const READ_BYTES = 1 << 18;
/** How long to wait for git to write more once the reader has caught up. */
const POLL_MS = 1;
/**
 * How often to sample the child's peak RSS, when wanted: from the start, whether or not anyone reads yet (a short
 * git spooled ahead of its reader has exited before the first read).
 */
const RSS_SAMPLE_INTERVAL_MS = 5;

/** Called with each block read, in order; the buffer is reused after the call returns. False stops reading. */
export type ChunkHandler = (chunk: Buffer) => boolean;

export interface SpooledGit {
  /** git's process id (undefined when it could not be spawned). */
  readonly pid: number | undefined;
  /**
   * Hands every byte git writes to `onChunk`, from the first, as it comes. Resolves after the last byte once git
   * exited with 0, or when `onChunk` returned false (git is then stopped); rejects with the usual CutterError when
   * git failed, or with what `onChunk` threw. Call at most once.
   */
  read(onChunk: ChunkHandler): Promise<void>;
  /** Stops git and drops its output: for a command whose answer is no longer wanted. Safe to call at any time. */
  cancel(): void;
}

/** Spooled children still running, stopped when this process exits so none keeps writing for nobody. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Start `git <args>` in `cwd` now, its stdout spooled; null where the platform cannot unlink an open file
 * (Windows) or no temporary file can be made, for the caller to read a pipe instead. `args` must come from us.
 */
export function spoolGit(cwd: string, args: readonly string[], env?: NodeJS.ProcessEnv): SpooledGit | null {
  if (process.platform === 'win32') return null;
  const fd = openUnlinkedTempFile();
  if (fd === null) return null;
  let child: ChildProcess;
  try {
    child = spawn('git', args, { cwd, env: gitEnv(env), stdio: ['ignore', fd, 'pipe'] });
  } catch {
    // An argument spawn refuses outright (say a NUL in `cwd`): the pipe path meets it again, and reports it.
    closeSync(fd);
    return null;
  }
  return new Spool(cwd, args, child, fd);
}

/** A temporary file open for reading and writing whose name is already gone; null when none can be made. */
function openUnlinkedTempFile(): number | null {
  const file = path.join(tmpdir(), `cutter-git-${process.pid}-${randomBytes(6).toString('hex')}`);
  let fd: number;
  try {
    fd = openSync(file, 'wx+', 0o600);
  } catch {
    return null;
  }
  try {
    unlinkSync(file);
  } catch {
    closeSync(fd);
    return null;
  }
  return fd;
}

class Spool implements SpooledGit {
  private readonly stderr: Buffer[] = [];
  /** git's exit code once it has exited and its stderr is read; -1 when it could not be spawned. */
  private code: number | undefined;
  private spawnFailure: NodeJS.ErrnoException | undefined;
  private reading = false;
  private done = false;
  private wake: (() => void) | null = null;
  private sampler: NodeJS.Timeout | undefined;

  readonly pid: number | undefined;

  constructor(
    private readonly cwd: string,
    private readonly args: readonly string[],
    private readonly child: ChildProcess,
    private readonly fd: number,
  ) {
    this.pid = child.pid;
    live.add(child);
    installExitHook();
    child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      this.spawnFailure = error;
      this.exited(-1);
    });
    child.on('close', (code) => this.exited(code ?? 1));
    if (gitPeakRssWanted() && child.pid !== undefined) {
      const pid = child.pid;
      const sample = (): void => sampleGitPeakRss(pid);
      sample();
      this.sampler = setInterval(sample, RSS_SAMPLE_INTERVAL_MS);
      this.sampler.unref();
      // The last look before git is reaped: 'exit' comes before 'close'.
      child.once('exit', sample);
    }
  }

  read(onChunk: ChunkHandler): Promise<void> {
    if (this.reading) throw new Error('a spooled git output can be read once');
    this.reading = true;
    return new Promise<void>((resolve, reject) => {
      if (this.done) {
        reject(cancelled());
        return;
      }
      const buffer = Buffer.allocUnsafe(READ_BYTES);
      let position = 0;
      const finish = (error?: unknown): void => {
        this.wake = null;
        this.release();
        if (error === undefined) resolve();
        else reject(error);
      };
      const pump = (): void => {
        if (this.done) {
          // Cancelled meanwhile (maybe by `onChunk` itself): the file is closed, and nothing more comes.
          finish(cancelled());
          return;
        }
        // Whether git had exited is known before the read: a read of 0 bytes after it is the end for sure.
        const ended = this.code !== undefined;
        let n: number;
        try {
          n = readSync(this.fd, buffer, 0, READ_BYTES, position);
        } catch (err) {
          this.stop();
          finish(err);
          return;
        }
        if (n === 0) {
          if (ended) finish(this.failure());
          else this.waitForMore(pump);
          return;
        }
        position += n;
        let more: boolean;
        try {
          more = onChunk(buffer.subarray(0, n));
        } catch (err) {
          this.stop();
          finish(err);
          return;
        }
        if (!more) {
          this.stop();
          finish();
          return;
        }
        // One block per turn of the event loop, so timers and signals are not kept waiting by a long backlog.
        setImmediate(pump);
      };
      pump();
    });
  }

  cancel(): void {
    if (this.done) return;
    this.stop();
    this.release();
    const wake = this.wake;
    this.wake = null;
    // A reader waiting for more is told it will get none.
    if (wake) wake();
  }

  /** Poll again shortly, or as soon as git exits (whichever comes first). */
  private waitForMore(pump: () => void): void {
    const timer = setTimeout(() => {
      this.wake = null;
      pump();
    }, POLL_MS);
    this.wake = () => {
      clearTimeout(timer);
      pump();
    };
  }

  private exited(code: number): void {
    if (this.code !== undefined) return;
    this.code = code;
    live.delete(this.child);
    clearInterval(this.sampler);
    const wake = this.wake;
    this.wake = null;
    if (wake) wake();
  }

  /** The CutterError for git's exit, or undefined when it succeeded. */
  private failure(): unknown {
    return streamedGitFailure(this.cwd, this.args, {
      code: this.code!,
      stderr: this.stderr,
      spawnFailure: this.spawnFailure,
    });
  }

  /** Kill git if it still runs. */
  private stop(): void {
    if (this.code === undefined && this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }

  /** Closes the file, once: the spool is done, read to the end or not. */
  private release(): void {
    if (this.done) return;
    this.done = true;
    closeSync(this.fd);
  }
}

function cancelled(): Error {
  return new Error('the spooled git output was cancelled');
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill();
  });
}
