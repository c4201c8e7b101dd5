// Streams `git log` of a range as RawCommits without ever holding the whole output in memory.
import { spawn } from 'node:child_process';
import type { RawCommit } from '../core/types.js';
import { sampleGitPeakRss } from './child-stats.js';
import { GitLogParser, LOG_FORMAT, LOG_FORMAT_NO_DATE } from './log-parser.js';
import { gitEnv, streamedGitFailure } from './run-git.js';
import { spoolGit } from './spooled-git.js';

export interface StreamLogOptions {
  /** Follow only the first parent of merges (the mainline view). */
  firstParent?: boolean;
  /** Stop after this many commits. */
  maxCount?: number;
  /** False: do not ask git for author dates (commits come without `date`). */
  dates?: boolean;
}

/** How often to sample the child's peak RSS: often enough to catch the end, rarely enough to cost nothing. */
const RSS_SAMPLE_INTERVAL_MS = 20;

/**
 * Commits of `revisions` (e.g. `['v1.2.0..HEAD']` or `['HEAD']`), newest first, one at a time.
 * Revisions must come from us (validated tag names, shas, HEAD), never raw user input.
 */
export async function* streamLog(
  cwd: string,
  revisions: readonly string[],
  opts: StreamLogOptions = {},
): AsyncGenerator<RawCommit, void, undefined> {
  for await (const batch of streamLogBatches(cwd, revisions, opts)) yield* batch;
}

/** Same as streamLog, but yields the commits completed by each chunk together (cheaper per commit). */
export async function* streamLogBatches(
  cwd: string,
  revisions: readonly string[],
  opts: StreamLogOptions = {},
): AsyncGenerator<RawCommit[], void, undefined> {
  yield* streamGitRecords(
    cwd,
    logArgs(revisions, opts),
    new GitLogParser(opts.dates === false ? { dates: false } : {}),
    LOG_ENV,
  );
}

/** A `git log` started at once and read later, or never (`cancel`). */
export interface StartedLog {
  /**
   * Hands each commit to `onCommit` the moment its last byte is read, newest first; `onCommit` returning false
   * stops there (git is stopped too). Call at most once.
   */
  forEachCommit(onCommit: (commit: RawCommit) => boolean | undefined): Promise<void>;
  /** Stops git and drops what it wrote; a no-op once read. */
  cancel(): void;
}

/**
 * Starts `git log` of `revisions` now: git runs while the caller still works out what to do with its answer, its
 * output spooled to a temporary file. Where no temporary file can be made, git starts only when the log is read,
 * through a pipe.
 * No batch is built: a fold over 100k commits holds one commit at a time, where a batch of a chunk's commits lives
 * long enough to be copied by the young-generation collector.
 */
export function startLog(cwd: string, revisions: readonly string[], opts: StreamLogOptions): StartedLog {
  const args = logArgs(revisions, opts);
  const spool = spoolGit(cwd, args, LOG_ENV);
  return {
    forEachCommit(onCommit) {
      let stopped = false;
      const parser = new GitLogParser({
        ...(opts.dates === false ? { dates: false } : {}),
        onCommit: (commit) => {
          // The rest of a chunk after the stop is still split, and not handed on.
          if (!stopped && onCommit(commit) === false) stopped = true;
        },
      });
      const onChunk = (chunk: Buffer): boolean => {
        parser.push(chunk);
        return !stopped;
      };
      return spool ? spool.read(onChunk) : eachGitStdoutChunk(cwd, args, LOG_ENV, onChunk);
    },
    cancel() {
      spool?.cancel();
    },
  };
}

/** `startLog(…).forEachCommit(onCommit)`: the log of `revisions` read as it comes. */
export function forEachLogCommit(
  cwd: string,
  revisions: readonly string[],
  opts: StreamLogOptions,
  onCommit: (commit: RawCommit) => boolean | undefined,
): Promise<void> {
  return startLog(cwd, revisions, opts).forEachCommit(onCommit);
}

/**
 * GIT_FLUSH=0: git would otherwise write each commit to the pipe on its own (100k writes, as many wake-ups here);
 * fully buffered it writes 4 KiB blocks. The bytes are the same.
 */
const LOG_ENV: NodeJS.ProcessEnv = { GIT_FLUSH: '0' };

function logArgs(revisions: readonly string[], opts: StreamLogOptions): string[] {
  const format = opts.dates === false ? LOG_FORMAT_NO_DATE : LOG_FORMAT;
  const args = ['-c', 'log.showSignature=false', 'log', '-z', `--format=${format}`, '--no-color'];
  if (opts.firstParent) args.push('--first-parent');
  if (opts.maxCount !== undefined) args.push(`--max-count=${opts.maxCount}`);
  args.push(...revisions, '--');
  return args;
}

/** Turns chunks of a git command's stdout into records; `end` flushes a last record that only the end completes. */
export interface GitRecordParser<T> {
  push(chunk: Buffer): T[];
  end?(): T[];
}

/**
 * Spawn `git <args>` and yield the records `parser` completes from each chunk, sampling git's peak RSS; a consumer
 * that stops early kills git. A non-zero exit becomes the usual CutterError.
 */
export async function* streamGitRecords<T>(
  cwd: string,
  args: readonly string[],
  parser: GitRecordParser<T>,
  env?: NodeJS.ProcessEnv,
): AsyncGenerator<T[], void, undefined> {
  for await (const chunk of gitStdout(cwd, args, env)) {
    const records = parser.push(chunk);
    if (records.length > 0) yield records;
  }
  // Only reached when git exited with 0 (gitStdout throws otherwise).
  if (parser.end) {
    const last = parser.end();
    if (last.length > 0) yield last;
  }
}

/** A spawned git whose stdout is read: its stderr, exit, and peak RSS samples, shared by both ways of reading. */
function startGit(cwd: string, args: readonly string[], env?: NodeJS.ProcessEnv) {
  const child = spawn('git', args, { cwd, env: gitEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  let spawnFailure: NodeJS.ErrnoException | undefined;
  const closed = new Promise<number>((resolve) => {
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnFailure = error;
      resolve(-1);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
  const pid = child.pid;
  let lastSample = 0;
  const sample = (): void => {
    if (pid !== undefined) sampleGitPeakRss(pid);
  };
  return {
    child,
    /** Samples git's peak RSS when the last sample is old enough. */
    sampleNow(): void {
      const now = Date.now();
      if (now - lastSample >= RSS_SAMPLE_INTERVAL_MS) {
        sample();
        lastSample = now;
      }
    },
    sample,
    /** After the last chunk: resolves once git exits with 0, else throws the usual CutterError. */
    async exited(): Promise<void> {
      const code = await closed;
      const failure = streamedGitFailure(cwd, args, { code, stderr, spawnFailure });
      if (failure) throw failure;
    },
  };
}

/**
 * Spawn `git <args>` and yield its stdout chunk by chunk, sampling git's peak RSS; a consumer that stops early
 * kills git. After the last chunk, a non-zero exit becomes the usual CutterError.
 */
async function* gitStdout(
  cwd: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): AsyncGenerator<Buffer, void, undefined> {
  const git = startGit(cwd, args, env);
  let finished = false;
  try {
    for await (const chunk of git.child.stdout as AsyncIterable<Buffer>) {
      git.sampleNow();
      yield chunk;
    }
    // git may still be alive (flushing, exiting): one last look at its peak.
    git.sample();
    finished = true;
  } finally {
    // The consumer stopped early (break/throw): do not leave git writing into a pipe nobody reads.
    if (!finished && git.child.exitCode === null) git.child.kill();
  }
  await git.exited();
}

/**
 * `gitStdout` for a consumer that takes each chunk as it comes: `onChunk` runs in the stream's own 'data' events,
 * without the two async iterators (and their promises) per chunk, which cost about as much CPU as the chunk's
 * bytes take to split at 100k commits. `onChunk` returning false stops there, and so does it throwing (which
 * rejects); either way git is killed and the rest of its output is dropped. Resolves after the last chunk.
 */
function eachGitStdoutChunk(
  cwd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv | undefined,
  onChunk: (chunk: Buffer) => boolean,
): Promise<void> {
  const git = startGit(cwd, args, env);
  const stdout = git.child.stdout;
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const stop = (): void => {
      settled = true;
      stdout.off('data', onData);
      stdout.destroy();
      if (git.child.exitCode === null) git.child.kill();
    };
    const onData = (chunk: Buffer): void => {
      if (settled) return;
      git.sampleNow();
      let more: boolean;
      try {
        more = onChunk(chunk);
      } catch (err) {
        stop();
        reject(err);
        return;
      }
      if (!more) {
        stop();
        resolve();
      }
    };
    stdout.on('data', onData);
    stdout.on('error', (err) => {
      if (settled) return;
      stop();
      reject(err);
    });
    stdout.on('end', () => {
      if (settled) return;
      settled = true;
      // git may still be alive (flushing, exiting): one last look at its peak.
      git.sample();
      git.exited().then(resolve, reject);
    });
    // A git that cannot be spawned ends no stream: its failure is the answer.
    git.child.on('error', () => {
      if (settled) return;
      settled = true;
      git.exited().then(resolve, reject);
    });
  });
}
