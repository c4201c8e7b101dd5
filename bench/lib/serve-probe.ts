// The benchmark's side of serve-probe.mjs: bracket a phase of a `cutter serve` child and read its loop delay, GC and
// per-thread CPU (Linux /proc), so latency figures on a shared machine come with what the process itself spent.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** `node --import <this>` for the serve child. */
export const PROBE_MODULE = fileURLToPath(new URL('./serve-probe.mjs', import.meta.url));

export interface ProbeSnapshot {
  loopDelayMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  gc: { count: number; totalMs: number; maxMs: number };
  processCpuMs: number;
}

export interface ThreadCpu {
  /** The main thread (tid = pid): HTTP, signature, store writes of the acknowledgement. */
  mainMs: number;
  /** The busiest other thread over the phase: the engine worker thread. */
  busiestOtherMs: number;
  /** Every other thread (libuv pool, V8 GC helpers, the engine thread). */
  otherMs: number;
}

const TICK_MS = 10; // CLK_TCK is 100 on Linux x64

async function threadTicks(pid: number): Promise<Map<number, number>> {
  const ticks = new Map<number, number>();
  const dir = `/proc/${pid}/task`;
  for (const tid of await readdir(dir).catch(() => [] as string[])) {
    const stat = await readFile(join(dir, tid, 'stat'), 'utf8').catch(() => '');
    // Fields after the parenthesised command: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const used = Number(fields[11]) + Number(fields[12]);
    if (Number.isFinite(used)) ticks.set(Number(tid), used);
  }
  return ticks;
}

/** A snapshot of the child's probe and thread CPU; `end()` of the next call's pair gives the phase between them. */
export class ServeProbe {
  private readonly pid: number;
  private readonly file: string;
  private next = 0;
  private before = new Map<number, number>();

  constructor(pid: number, file: string) {
    this.pid = pid;
    this.file = file;
  }

  /** Start a phase: reset the probe's counters, remember each thread's CPU. */
  async begin(): Promise<void> {
    await this.signal();
    this.before = await threadTicks(this.pid);
  }

  /** End the phase started by `begin()`. */
  async end(): Promise<{ probe: ProbeSnapshot; threads: ThreadCpu }> {
    const after = await threadTicks(this.pid);
    const probe = await this.signal();
    const delta = [...after].map(([tid, t]) => ({ tid, ms: (t - (this.before.get(tid) ?? 0)) * TICK_MS }));
    const others = delta.filter((d) => d.tid !== this.pid);
    return {
      probe,
      threads: {
        mainMs: delta.find((d) => d.tid === this.pid)?.ms ?? Number.NaN,
        busiestOtherMs: Math.max(0, ...others.map((d) => d.ms)),
        otherMs: others.reduce((sum, d) => sum + d.ms, 0),
      },
    };
  }

  private async signal(): Promise<ProbeSnapshot> {
    const file = `${this.file}.${this.next++}`;
    process.kill(this.pid, 'SIGUSR2');
    for (let i = 0; i < 500; i++) {
      const text = await readFile(file, 'utf8').catch(() => null);
      if (text !== null) return JSON.parse(text) as ProbeSnapshot;
      await sleep(10);
    }
    throw new Error(`serve probe did not answer (${file})`);
  }
}
