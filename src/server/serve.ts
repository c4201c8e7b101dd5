// `cutter serve` as a function: open the store, listen, run the engine in its own thread (resuming unfinished tasks).

import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { CutterError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { kvRolloutHistory } from '../deploy/rollout-history.js';
import { BudgetPacer } from '../github/budget-pacer.js';
import { createGitHubClient } from '../github/client.js';
import { isPostgresUrl, openStore } from '../store/index.js';
import type { PostgresStore } from '../store/postgres-store.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/types.js';
import { Engine } from '../workflow/index.js';
import { adminGate } from './admin-token.js';
import { buildServer } from './app.js';
import { registerBuildRoutes } from './build-routes.js';
import { EngineThread, type EngineThreadSetup } from './engine-thread.js';
import { eventTasksWithControl, parseControlRepos } from './fleet-control.js';
import { registerFleetRoute } from './fleet-route.js';
import { QueueEngine } from './queue-engine.js';
import { logTaskOutcomes, type ServeDeps, serveFlows } from './serve-flows.js';
import { redactingLogger, type ServerLogger, stderrLogger } from './server-logger.js';

export interface ServeOptions {
  /** SQLite file (created with its directory when missing); unused with `databaseUrl`. */
  db: string;
  /**
   * `postgres://…` (default: CUTTER_DATABASE_URL): the shared store of several `cutter serve` processes, which take
   * their tasks as graphile-worker jobs instead of running the SQLite engine thread.
   */
  databaseUrl?: string;
  port?: number;
  host?: string;
  /** Secrets and GitHub settings: CUTTER_WEBHOOK_SECRET, GITHUB_TOKEN/CUTTER_GITHUB_TOKEN, GITHUB_API_URL, CUTTER_API_TOKEN. */
  env?: Record<string, string | undefined>;
  logger?: ServerLogger;
  /** Releases of different repositories run at once (default 4). */
  concurrency?: number;
  /** Lease of a running task; a killed server's tasks are taken over after it (default 30 s). */
  leaseMs?: number;
  /** How often the idle engine looks for new tasks (default 100 ms: a stored webhook starts within it). */
  pollMs?: number;
  /**
   * Stable by default (host + database), so a restarted server takes back its own orphaned tasks at once
   * instead of waiting for their leases to expire. Two servers on one host and database need distinct ids.
   */
  workerId?: string;
}

export type { ServeDeps } from './serve-flows.js';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  /**
   * SQLite: the engine runs in a worker thread on its own handle of the same file (see engine-thread.ts).
   * Postgres: a queue worker in this process, sharing the jobs with every other serve on the database.
   */
  engine: EngineThread | QueueEngine;
  store: Store;
  /** Stop accepting webhooks, let steps in flight finish and persist, hand their tasks back, close the store. */
  close(): Promise<void>;
}

function required(env: Record<string, string | undefined>, name: string, hint: string): string {
  const value = env[name]?.trim();
  if (!value) throw new CutterError('CUTTER_BAD_INPUT', `${name} is not set`, { hint });
  return value;
}

export async function startServe(options: ServeOptions): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const logger = redactingLogger(options.logger ?? stderrLogger);
  const webhookSecret = required(
    env,
    'CUTTER_WEBHOOK_SECRET',
    'set it to the secret of the GitHub webhook that points at /webhooks/github',
  );
  registerSecret(webhookSecret);
  const apiToken = env['CUTTER_API_TOKEN']?.trim() || undefined;
  // A push to a control repo starts a fleet run of its org (checked before anything is opened).
  const events = eventTasksWithControl({
    repos: parseControlRepos(env['CUTTER_FLEET_CONTROL_REPO']),
    pattern: env['CUTTER_FLEET_PATTERN']?.trim() || undefined,
  });
  const databaseUrl = (options.databaseUrl ?? env['CUTTER_DATABASE_URL'])?.trim() || undefined;
  if (databaseUrl && !isPostgresUrl(databaseUrl)) {
    throw new CutterError('CUTTER_BAD_INPUT', 'CUTTER_DATABASE_URL must be a postgres:// URL', {
      hint: 'e.g. postgres://cutter@db.internal:5432/cutter; leave it unset for the SQLite file of --db',
    });
  }
  const dbPath = path.resolve(options.db);
  let store: Store;
  if (databaseUrl) store = await openStore(databaseUrl);
  else {
    await mkdir(path.dirname(dbPath), { recursive: true });
    // The HTTP thread's handle: WAL checkpoints are the engine thread's job, never inside an acknowledgement.
    store = new SqliteStore(dbPath, { autoCheckpoint: false });
  }
  let github: Awaited<ReturnType<typeof createGitHubClient>>;
  try {
    github = await createGitHubClient({
      env,
      logger: { debug: () => {}, info: logger.info, warn: logger.warn, error: logger.error },
      // One write budget in the store for every task (fleet runs above all), shared with other processes on it.
      pacer: new BudgetPacer({ store }),
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  const digest = createHash('sha256').update(dbPath).digest('hex').slice(0, 8);
  const history = kvRolloutHistory(store);
  const org = env['CUTTER_ORG']?.trim() || undefined;
  const setup: EngineThreadSetup = {
    db: dbPath,
    env: { ...env },
    concurrency: options.concurrency ?? 4,
    pollMs: options.pollMs ?? 100,
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    workerId: options.workerId ?? `${hostname()}:serve:${digest}`,
  };
  let engine: EngineThread | QueueEngine;
  if (databaseUrl) {
    try {
      engine = await QueueEngine.create(
        store as PostgresStore,
        {
          env: { ...env },
          concurrency: setup.concurrency,
          ...(setup.leaseMs ? { leaseMs: setup.leaseMs } : {}),
          ...(options.workerId ? { workerId: options.workerId } : {}),
        },
        logger,
      );
    } catch (err) {
      await store.close();
      throw err;
    }
  } else engine = new EngineThread({ setup, store, logger });
  const dashboard = {
    engine,
    github,
    org: env['CUTTER_ORG'],
    pattern: env['CUTTER_FLEET_PATTERN'],
    readToken: env['CUTTER_READ_TOKEN']?.trim() || undefined,
    cookieSecret: env['CUTTER_SESSION_SECRET']?.trim() || undefined,
  };
  const app = buildServer({
    store,
    engine,
    webhookSecret,
    ...(apiToken ? { apiToken } : {}),
    logger,
    dashboard,
    events,
  });
  registerBuildRoutes(app, { enqueue: (task) => engine.enqueue(task), history, org, logger });
  registerFleetRoute(app, { enqueue: (task) => engine.enqueue(task), admin: adminGate(apiToken), logger });
  let url: string;
  try {
    url = await app.listen({ port: options.port ?? 8787, host: options.host ?? '127.0.0.1' });
  } catch (err) {
    await store.close();
    throw new CutterError('CUTTER_BAD_INPUT', `cannot listen: ${(err as Error).message}`, {
      hint: 'pick another --port or --host',
    });
  }
  // Started after listen: unfinished tasks of a previous run resume now, while webhooks are already accepted.
  try {
    await engine.start();
  } catch (err) {
    await app.close();
    await engine.stop();
    await store.close();
    throw err;
  }
  const where = databaseUrl ? (store as PostgresStore).describe() : dbPath;
  logger.info(`cutter serve on ${url} (store ${where}, worker ${engine.workerId})`);
  let closing: Promise<void> | null = null;
  return {
    url,
    app,
    engine,
    store,
    close() {
      closing ??= (async () => {
        await app.close();
        await engine.stop();
        await store.close();
      })();
      return closing;
    },
  };
}

/**
 * The engine and everything its steps need, on one store handle. It runs in the engine thread (engine-worker.ts),
 * which passes its own handle of the server's SQLite file; nothing here may run on the HTTP thread.
 */
export async function createServeEngine(
  store: Store,
  setup: EngineThreadSetup,
  logger: ServerLogger,
): Promise<Engine<ServeDeps>> {
  const engine = new Engine<ServeDeps>({
    store,
    ...(await serveFlows(store, setup.env, logger)),
    concurrency: setup.concurrency,
    pollMs: setup.pollMs,
    ...(setup.leaseMs ? { leaseMs: setup.leaseMs } : {}),
    workerId: setup.workerId,
  });
  logTaskOutcomes(engine, logger);
  return engine;
}
