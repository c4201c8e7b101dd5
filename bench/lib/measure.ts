// Spawns one command (argument array, no shell) and measures its wall time and peak RSS with GNU time.
import { spawn } from 'node:child_process';
import { constants, openSync } from 'node:fs';
import { access, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TimedRun {
  /** Wall time from spawn to exit, in milliseconds. */
  ms: number;
  exitCode: number | null;
  /** Peak RSS in kB of the largest process in the tree (GNU time `%M`); null when GNU time is unavailable. */
  peakRssKb: number | null;
  /** Captured stdout ('' when discarded). */
  stdout: string;
  /** The last 64 kB of stderr, for error messages and tools that log there. */
  stderr: string;
  /** True when the run was stopped at `timeoutMs`: `ms` is then a lower bound. */
  timedOut: boolean;
}

export interface TimedSpawnOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Capture stdout (to parse a result) instead of sending it to /dev/null like the floor does. */
  captureStdout?: boolean;
  /** Kill the command's whole process group after this long (a peer too slow to wait for). */
  timeoutMs?: number;
}

const GNU_TIME = '/usr/bin/time';
const STDERR_TAIL_BYTES = 64 * 1024;
let gnuTime: Promise<string | null> | undefined;
let devNull: number | undefined;
let rssFileCounter = 0;

/** The GNU time binary when it exists and understands `-f %M -o`, else null (then RSS figures are null). */
export function gnuTimePath(): Promise<string | null> {
  gnuTime ??= (async () => {
    try {
      await access(GNU_TIME, constants.X_OK);
      const probe = await spawnAndTime(GNU_TIME, ['-f', '%M', '-o', '/dev/null', 'true'], { cwd: tmpdir() });
      return probe.exitCode === 0 ? GNU_TIME : null;
    } catch {
      return null;
    }
  })();
  return gnuTime;
}

/** Run `command args` and time it; with GNU time available, also its peak RSS. Never throws for a non-zero exit. */
export async function timedSpawn(
  command: string,
  args: readonly string[],
  options: TimedSpawnOptions,
): Promise<TimedRun> {
  const time = await gnuTimePath();
  if (time === null) return spawnAndTime(command, args, options);
  rssFileCounter += 1;
  const rssFile = join(tmpdir(), `cutter-bench-rss-${process.pid}-${rssFileCounter}`);
  const run = await spawnAndTime(time, ['-f', '%M', '-o', rssFile, command, ...args], options);
  try {
    // On failure GNU time writes "Command exited with non-zero status N" first; the figure is the last line.
    const lines = (await readFile(rssFile, 'utf8')).trim().split('\n');
    const kb = Number(lines[lines.length - 1]);
    return { ...run, peakRssKb: Number.isFinite(kb) && kb > 0 ? kb : null };
  } catch {
    return run;
  } finally {
    await rm(rssFile, { force: true });
  }
}

function spawnAndTime(command: string, args: readonly string[], options: TimedSpawnOptions): Promise<TimedRun> {
  devNull ??= openSync('/dev/null', 'w');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', options.captureStdout ? 'pipe' : devNull, 'pipe'],
      // Its own process group, so a timeout kills the tool and its children (git, workers), not just GNU time.
      detached: options.timeoutMs !== undefined,
    });
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          }, options.timeoutMs);
    const out: Buffer[] = [];
    let err = Buffer.alloc(0);
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      err = Buffer.concat([err, chunk]);
      if (err.length > STDERR_TAIL_BYTES * 2) err = err.subarray(err.length - STDERR_TAIL_BYTES);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({
        ms,
        exitCode: code,
        peakRssKb: null,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: err.subarray(Math.max(0, err.length - STDERR_TAIL_BYTES)).toString('utf8'),
        timedOut,
      });
    });
  });
}
