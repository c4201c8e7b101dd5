// Preloaded into `cutter serve` by the server benchmark (node --import): the HTTP thread's event-loop delay and GC pauses.
// Plain JavaScript so the built CLI runs exactly as deployed (no tsx loader). On SIGUSR2 it writes what it saw since
// the previous signal to `$CUTTER_BENCH_PROBE.<n>` and starts again, so the benchmark can bracket one phase.
import { renameSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const out = process.env.CUTTER_BENCH_PROBE;
if (isMainThread && out) {
  // 5 ms sampling: a delay is measured from the timer's due time whatever the resolution, at 200 wakeups/s.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let gc = { count: 0, totalMs: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count += 1;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  let cpu = process.cpuUsage();
  let snapshots = 0;
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  // The histogram records the interval between wakeups: the lateness is what exceeds the 5 ms resolution.
  const late = (ns) => ms(Math.max(0, ns - 5e6));
  process.on('SIGUSR2', () => {
    const used = process.cpuUsage(cpu);
    const file = `${out}.${snapshots++}`;
    writeFileSync(
      `${file}.tmp`,
      JSON.stringify({
        loopDelayMs: {
          p50: late(loop.percentile(50)),
          p90: late(loop.percentile(90)),
          p99: late(loop.percentile(99)),
          max: late(loop.max),
          mean: late(loop.mean),
        },
        gc: { count: gc.count, totalMs: Math.round(gc.totalMs * 100) / 100, maxMs: Math.round(gc.maxMs * 100) / 100 },
        processCpuMs: Math.round((used.user + used.system) / 1000),
      }),
    );
    renameSync(`${file}.tmp`, file);
    loop.reset();
    gc = { count: 0, totalMs: 0, maxMs: 0 };
    cpu = process.cpuUsage();
  });
}
