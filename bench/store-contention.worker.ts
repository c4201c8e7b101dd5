// The engine side of the store-contention benchmark, in a worker thread like `cutter serve`'s engine: a real Engine on
// its own SqliteStore handle of the file, running a one-step flow for every task the main thread stores.

import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { defineFlow, Engine } from '../src/workflow/index.js';

const { db } = workerData as { db: string };
if (!parentPort) throw new Error('store-contention.worker.ts runs as a worker thread');
const port = parentPort;
const store = new SqliteStore(db);
// Like the classify step skipping a tag push: no I/O, one step, the task is done.
const flow = defineFlow<null>('release', [
  { name: 'classify', when: { skipped: null }, run: async () => ({ complete: true, patch: { skipped: 'tag push' } }) },
]);
const engine = new Engine({ store, flows: { release: flow }, deps: null, concurrency: 4, pollMs: 100 });
// The engine thread checkpoints the WAL once a second (engine-worker.ts).
const checkpoints = setInterval(() => store.checkpoint(), 1000);
let stopping = false;
port.on('message', (m: string) => {
  if (m === 'wake') engine.wake();
  else if (m === 'stop') stopping = true;
});
engine.start();
port.postMessage('ready');
while (!stopping) await sleep(20);
clearInterval(checkpoints);
await engine.stop();
const done = (await store.listTasks({ status: 'done', limit: 1 })).tasks.length;
await store.close();
port.postMessage({ stopped: true, done });
