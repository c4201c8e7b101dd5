// Runs bench/webhook-load.ts (open-loop Poisson webhook pushes) in its own process against one or several URLs and
// reads its JSON into the acknowledgement figures the benchmarks tabulate.
import { join } from 'node:path';
import type { LoadResult } from '../webhook-load.js';
import { runCommand } from './run-command.js';

/** One load run's acknowledgements, whatever generator made them. */
export interface AckFigures {
  requests: number;
  accepted2xx: number;
  non2xx: number;
  errors: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The load generator's process: its own loop delay shows in the latencies it reports. */
  generatorProcess: { loopDelayP99Ms: number; loopDelayMaxMs: number; cpuMsPerRequest: number };
}

export interface SteadyFigures extends AckFigures {
  /** From the first request's due time to the last response. */
  elapsedMs: number;
  /**
   * 2xx answers per second of the offered `seconds`, or of `elapsedMs` when longer (the servers fell behind): the
   * offered rate while they keep up, their capacity when not.
   */
  throughputPerS: number;
}

/**
 * `urls` get the requests round-robin (a load balancer in front of several serve processes), each over its own
 * `connections` keep-alive connections; latency counts from each request's due time.
 */
export async function steadyLoad(
  root: string,
  urls: readonly string[],
  rate: number,
  seconds: number,
  connections = 10,
): Promise<SteadyFigures> {
  const script = join(root, 'bench', 'webhook-load.ts');
  const out = await runCommand(
    process.execPath,
    ['--import', 'tsx', script, urls.join(','), String(rate), String(seconds), String(connections)],
    { cwd: root },
  );
  const r = JSON.parse(out) as LoadResult;
  const accepted2xx = Object.entries(r.statuses)
    .filter(([code]) => code.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    requests: r.requests,
    accepted2xx,
    non2xx: r.requests - accepted2xx - r.errors,
    errors: r.errors,
    p50Ms: r.latencyMs.p50,
    p90Ms: r.latencyMs.p90,
    p99Ms: r.latencyMs.p99,
    maxMs: r.latencyMs.max,
    elapsedMs: r.elapsedMs,
    throughputPerS: Math.round((accepted2xx / Math.max(seconds * 1000, r.elapsedMs)) * 1000),
    generatorProcess: {
      loopDelayP99Ms: r.loopDelayP99Ms,
      loopDelayMaxMs: r.loopDelayMaxMs,
      cpuMsPerRequest: r.cpuMsPerRequest,
    },
  };
}
