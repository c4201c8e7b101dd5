// One Cutter queue worker of the Postgres fleet benchmark: takes fleet and release jobs from the shared Postgres and
// writes to the sandbox under the GitHub write budget every worker shares through that database.
// Usage: node --import tsx bench/fleet-queue.worker.ts POSTGRES_URL API_URL TOKEN SCALE PER_MINUTE PER_HOUR CONCURRENCY
// Prints "ready", then runs until SIGTERM; prints its pacer's figures as JSON when it stops.

import { BudgetPacer } from '../src/github/budget-pacer.js';
import { createGitHubClient } from '../src/github/client.js';
import { QueueWorker } from '../src/queue/graphile-runner.js';
import { FLEET_TASK_KIND, type FleetDeps, fleetFlow } from '../src/steps/fleet-flow.js';
import { RELEASE_TASK_KIND, releaseFlow } from '../src/steps/release-flow.js';
import { PostgresStore } from '../src/store/postgres-store.js';

const [url = '', apiUrl = '', token = '', scale = '1', perMinute = '80', perHour = '500', concurrency = '4'] =
  process.argv.slice(2);
const store = await PostgresStore.open(url, { poolSize: 8 });
const pacer = new BudgetPacer({
  store,
  timeScale: Number(scale),
  writesPerMinute: Number(perMinute),
  writesPerHour: Number(perHour),
  maxConcurrentWrites: 8,
});
const github = await createGitHubClient({ baseUrl: apiUrl, token, pacer, env: {}, requestTimeoutMs: 60_000 });
const worker = new QueueWorker<FleetDeps>({
  store,
  // The flows `runFleet` runs, as jobs: the fleet task plans and fans out, its children are single releases.
  flows: { [FLEET_TASK_KIND]: fleetFlow, [RELEASE_TASK_KIND]: releaseFlow as never },
  deps: { github, notifiers: () => [], store },
  concurrency: Number(concurrency),
  leaseMs: 6_000,
  pollMs: 500,
});
worker.on('problem', ({ error }) => process.stderr.write(`worker problem: ${String(error)}\n`));
await worker.start();
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
await worker.stop();
await pacer.flush();
await store.close();
process.stdout.write(`${JSON.stringify({ pacer: pacer.stats })}\n`);
