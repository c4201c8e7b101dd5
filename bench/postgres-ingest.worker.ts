// One ingesting process of the Postgres benchmark: stores webhook deliveries (delivery row + task + its queue job in
// one transaction, as the receiver does before its 202) in a closed loop and prints the latencies as JSON, with the
// round trips to Postgres per ingest and this process's CPU time.
// Usage: node --import tsx bench/postgres-ingest.worker.ts STORE_URL SECONDS CONCURRENCY PREFIX

import pg from 'pg';
import { openStore } from '../src/store/index.js';

// Every statement a pg client sends is one round trip (BEGIN and COMMIT included): count them.
let roundTrips = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]) {
  roundTrips++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

const [url = '', secondsArg = '5', concurrencyArg = '8', prefix = 'w'] = process.argv.slice(2);
const store = await openStore(url);
const seconds = Number(secondsArg);
const concurrency = Number(concurrencyArg);
const latencies: number[] = [];
let n = 0;
const payload = { ref: 'refs/tags/v1.2.3', repository: { full_name: 'acme/connector-x' }, sender: { login: 'bench' } };
roundTrips = 0;
const cpu = process.cpuUsage();
const end = performance.now() + seconds * 1000;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const i = n++;
      const t0 = performance.now();
      await store.ingestDelivery(
        { id: `${prefix}-${i}`, event: 'push', payload, receivedAt: new Date() },
        { kind: 'release', key: `acme/connector-${i % 1000}`, data: { ref: payload.ref } },
      );
      latencies.push(performance.now() - t0);
    }
  }),
);
const used = process.cpuUsage(cpu);
const trips = roundTrips;
await store.close();
process.stdout.write(
  `${JSON.stringify({ count: latencies.length, latencies, roundTrips: trips, cpuMs: (used.user + used.system) / 1000 })}\n`,
);
