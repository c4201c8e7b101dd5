// Open-loop webhook load in its own process: signed pushes arriving independently (Poisson, seeded) at a mean rate over
// keep-alive connections, each latency counted from the moment the request was due (not from when a free connection
// sent it), printed as JSON. Several URLs (comma-separated) get the requests in turn, as a round-robin load balancer
// in front of several servers would send them, each URL over its own pool of CONNECTIONS.
// Usage: node --import tsx bench/webhook-load.ts URL[,URL…] RATE SECONDS CONNECTIONS
//
// Why not autocannon's `overallRate`: it lets each connection send back to back until it has made its share of the
// second, then pauses until the next second — bursts of `connections` concurrent requests, not a rate — and corrects
// for coordinated omission with an expected interval of ceil(1 / rate) (seconds read as milliseconds: 1 ms), which
// adds a synthetic sample for every millisecond of every slow response.

import { Agent, request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { seededRandom } from './lib/random.js';
import { signedTagPush } from './lib/signed-push.js';
import { percentile } from './lib/stats.js';

export interface LoadResult {
  rate: number;
  /** From the first request's due time to the end of the last response. */
  elapsedMs: number;
  seconds: number;
  connections: number;
  requests: number;
  /** Responses by status code; `errors` are requests that got no response. */
  statuses: Record<string, number>;
  errors: number;
  /** From the request's due time to the end of its response: waiting for a free connection included. */
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number };
  /** From writing the request to the end of its response. */
  serviceMs: { p50: number; p99: number; max: number };
  /** This process: how late its own timers ran (that lateness is in the latencies too) and its CPU per request. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  cpuMsPerRequest: number;
}

const r2 = (v: number) => Math.round(v * 100) / 100;

/** `url` may list several URLs, comma-separated: request i goes to the (i mod n)-th. */
export async function webhookLoad(url: string, rate: number, seconds: number, connections: number) {
  const urls = url.split(',').filter(Boolean);
  // maxSockets is per origin: each URL gets its own pool of `connections`.
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const total = Math.round(rate * seconds);
  // Independent deliveries: exponential gaps with the mean 1/rate, the same sequence every run.
  const random = seededRandom(20_250_601);
  const due: number[] = [];
  for (let i = 0, at = 0; i < total; i++, at += (-Math.log(1 - random.next()) * 1000) / rate) due.push(at);
  const latencies: number[] = [];
  const service: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let finished = 0;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const settle = () => {
    if (++finished === total) allDone();
  };
  const fire = (due: number, target: string) => {
    const { body, headers } = signedTagPush();
    const req = request(target, {
      method: 'POST',
      agent,
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
    });
    let sentAt = Number.NaN;
    req.on('socket', () => {
      sentAt = performance.now();
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        const end = performance.now();
        latencies.push(end - due);
        service.push(end - sentAt);
        statuses[String(res.statusCode)] = (statuses[String(res.statusCode)] ?? 0) + 1;
        settle();
      });
    });
    req.on('error', () => {
      errors++;
      settle();
    });
    req.end(body);
  };
  // Warm the connections up first, so the run measures requests, not TCP handshakes.
  await Promise.all(
    urls.flatMap((target) =>
      Array.from(
        { length: connections },
        () =>
          new Promise<void>((resolve) => {
            const req = request(target, { method: 'GET', agent }, (res) => {
              res.resume();
              res.on('end', resolve);
            });
            req.on('error', () => resolve());
            req.end();
          }),
      ),
    ),
  );
  loop.enable();
  const cpu = process.cpuUsage();
  const start = performance.now() + 20;
  let sent = 0;
  const tick = () => {
    const now = performance.now();
    // Everything due by now goes out now: a late timer makes requests late, and their latency counts it.
    for (; sent < total && start + due[sent]! <= now; sent++) fire(start + due[sent]!, urls[sent % urls.length]!);
    if (sent < total) setTimeout(tick, Math.max(0, start + due[sent]! - performance.now()));
  };
  setTimeout(tick, 20);
  await done;
  const elapsedMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  loop.disable();
  agent.destroy();
  latencies.sort((a, b) => a - b);
  service.sort((a, b) => a - b);
  const result: LoadResult = {
    rate,
    elapsedMs: r2(elapsedMs),
    seconds,
    connections,
    requests: total,
    statuses,
    errors,
    latencyMs: {
      p50: r2(percentile(latencies, 50)),
      p90: r2(percentile(latencies, 90)),
      p99: r2(percentile(latencies, 99)),
      p999: r2(percentile(latencies, 99.9)),
      max: r2(latencies.at(-1) ?? Number.NaN),
    },
    serviceMs: {
      p50: r2(percentile(service, 50)),
      p99: r2(percentile(service, 99)),
      max: r2(service.at(-1) ?? Number.NaN),
    },
    // The histogram records the interval between its 5 ms wakeups: the lateness is what exceeds 5 ms.
    loopDelayP99Ms: r2(Math.max(0, loop.percentile(99) / 1e6 - 5)),
    loopDelayMaxMs: r2(Math.max(0, loop.max / 1e6 - 5)),
    cpuMsPerRequest: Math.round(((used.user + used.system) / 1000 / total) * 1000) / 1000,
  };
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [url = '', rate = '200', seconds = '20', connections = '10'] = process.argv.slice(2);
  const result = await webhookLoad(url, Number(rate), Number(seconds), Number(connections));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
