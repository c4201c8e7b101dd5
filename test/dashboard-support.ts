// A cutter server over a seeded acme sandbox for the dashboard tests, plus a logged-in HTTP client.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACME_ORG } from '../src/sandbox/orgs/acme.js';
import { seedOrg } from '../src/sandbox/seed.js';
import { type RunningServer, startServe } from '../src/server/serve.js';
import { silentLogger } from '../src/server/server-logger.js';
import { type Harness, startSandbox, TOKEN } from './sandbox-harness.js';

export const ADMIN_TOKEN = 'dashboard-admin-token-5f2a9c';
export const READ_TOKEN = 'dashboard-read-token-77b1e0';
export const WEBHOOK_SECRET = 'dashboard-webhook-secret-0c4d';

export interface DashboardRig {
  h: Harness;
  server: RunningServer;
  base: string;
  close(): Promise<void>;
}

/** `pattern` narrows the fleet (CUTTER_FLEET_PATTERN) where a test releases it for real. */
export async function startDashboardRig(options: { pattern?: string } = {}): Promise<DashboardRig> {
  // Response validation against the OpenAPI spec is the sandbox tests' job; here it would only slow 24 connectors down.
  const h = await startSandbox({ validateResponses: false });
  const seeded = await seedOrg(h.root, ACME_ORG, { onExisting: 'skip' });
  await h.sandbox.registerRepos('acme', seeded);
  const dbDir = await mkdtemp(join(tmpdir(), 'cutter-dashboard-'));
  const server = await startServe({
    db: join(dbDir, 'cutter.db'),
    port: 0,
    env: {
      CUTTER_WEBHOOK_SECRET: WEBHOOK_SECRET,
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: h.url,
      CUTTER_API_TOKEN: ADMIN_TOKEN,
      CUTTER_READ_TOKEN: READ_TOKEN,
      CUTTER_ORG: 'acme',
      // A release waiting at the freeze gate looks again within a moment of the freeze being lifted.
      CUTTER_GATE_POLL_MS: '250',
      ...(options.pattern ? { CUTTER_FLEET_PATTERN: options.pattern } : {}),
    },
    logger: silentLogger,
    pollMs: 20,
    // The acme org has 24 connectors: more workers keep a whole-fleet preview within the test's patience.
    concurrency: 8,
  });
  return {
    h,
    server,
    base: server.url,
    async close() {
      await server.close();
      await h.close();
      await rm(dbDir, { recursive: true, force: true });
    },
  };
}

export interface Session {
  cookie: string;
  csrf: string;
  role: string;
}

/** Logs in over plain HTTP the way the login page does, keeping the cookie and the CSRF token it hands out. */
export async function login(base: string, token: string): Promise<Session> {
  const res = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (res.status !== 200) throw new Error(`login answered ${res.status}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const body = (await res.json()) as { csrf: string; role: string };
  return { cookie: setCookie.split(';')[0] ?? '', csrf: body.csrf, role: body.role };
}
