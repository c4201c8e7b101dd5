// The engine thread's entry: its own store handle on the server's SQLite file, the serve engine, and messages.

import { parentPort, workerData } from 'node:worker_threads';
import { registerSecret } from '../core/redact.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { describeError } from '../workflow/engine.js';
import type { EngineEvents } from '../workflow/types.js';
import type { EngineWorkerData, FromEngine, ToEngine } from './engine-thread.js';
import { createServeEngine } from './serve.js';
import { INFO_FLUSH_MS, type ServerLogger } from './server-logger.js';

/** WAL pages the HTTP thread's commits leave behind are copied back here, never inside an acknowledgement. */
const CHECKPOINT_EVERY_MS = 1000;

if (!parentPort) throw new Error('engine-worker.ts runs as a worker thread (see engine-thread.ts)');
const port = parentPort;
const { setup, wakeFlag } = workerData as EngineWorkerData;
const wakePending = new Int32Array(wakeFlag);
const send = (m: FromEngine) => port.postMessage(m);
// Info lines (one per finished task) cross to the HTTP thread in batches: each message wakes that thread, between
// its acknowledgements. Warnings and errors go at once, after the info lines before them.
let infos: Array<{ level: keyof ServerLogger; message: string }> = [];
let infoTimer: NodeJS.Timeout | null = null;
const flushInfos = () => {
  if (infoTimer) clearTimeout(infoTimer);
  infoTimer = null;
  if (infos.length === 0) return;
  send({ type: 'log', lines: infos });
  infos = [];
};
const logger: ServerLogger = {
  info: (message) => {
    infos.push({ level: 'info', message });
    infoTimer ??= setTimeout(flushInfos, INFO_FLUSH_MS);
  },
  warn: (message) => {
    flushInfos();
    send({ type: 'log', lines: [{ level: 'warn', message }] });
  },
  error: (message) => {
    flushInfos();
    send({ type: 'log', lines: [{ level: 'error', message }] });
  },
};

// The redactor's registry is per thread: secrets the HTTP thread registered are registered here again.
for (const name of ['CUTTER_WEBHOOK_SECRET', 'CUTTER_API_TOKEN', 'CUTTER_READ_TOKEN']) registerSecret(setup.env[name]);

async function main(): Promise<void> {
  const store = new SqliteStore(setup.db);
  const engine = await createServeEngine(store, setup, logger).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const listening = new Set<keyof EngineEvents>();
  const forward = <K extends keyof EngineEvents>(name: K, toPayload: (e: EngineEvents[K]) => unknown) =>
    engine.on(name, (e) => {
      if (listening.has(name)) send({ type: 'event', name, payload: toPayload(e) });
    });
  forward('task', (t) => t);
  forward('step', (e) => e);
  forward('log', (e) => e);
  forward('problem', (p) => ({ ...(p.taskId ? { taskId: p.taskId } : {}), error: describeError(p.error, false) }));
  const checkpoints = setInterval(() => {
    try {
      store.checkpoint();
    } catch (error) {
      logger.warn(`WAL checkpoint failed: ${describeError(error, false).message}`);
    }
  }, CHECKPOINT_EVERY_MS);
  port.on('message', (m: ToEngine) => {
    if (m.type === 'wake') {
      // Cleared before the engine looks: a task stored after this posts a new wake.
      Atomics.store(wakePending, 0, 0);
      engine.wake();
    } else if (m.type === 'cancelled') engine.cancelled(m.taskId);
    else if (m.type === 'listen') {
      listening.clear();
      for (const e of m.events) listening.add(e);
    } else if (m.type === 'stop') {
      clearInterval(checkpoints);
      void (async () => {
        await engine.stop();
        await store.close();
        flushInfos();
        send({ type: 'stopped' });
        port.close();
      })();
    }
  });
  engine.start();
  send({ type: 'ready', kinds: engine.flowKinds() });
}

main().catch((error: unknown) => send({ type: 'failed', error: describeError(error, false) }));
