// POST /api/fleet: an admin starts a durable fleet run; bad bodies and missing tokens are refused.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store.js';
import { adminGate } from './admin-token.js';
import { registerFleetRoute } from './fleet-route.js';

const logger = { info() {}, warn() {}, error() {} };
let store: SqliteStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function app() {
  store = new SqliteStore(join(await mkdtemp(join(tmpdir(), 'cutter-fleet-route-')), 'cutter.db'));
  const s = store;
  const server = Fastify();
  registerFleetRoute(server, {
    enqueue: async (t) => (await s.createTask(t)).task,
    admin: adminGate('fleet-admin-token'),
    logger: logger as never,
  });
  return server;
}

const auth = { authorization: 'Bearer fleet-admin-token' };

describe('POST /api/fleet', () => {
  it('stores a fleet task with the parsed patterns and answers 202 with its run id', async () => {
    const server = await app();
    const res = await server.inject({
      method: 'POST',
      url: '/api/fleet',
      headers: auth,
      payload: { org: 'acme', pattern: 'connector-*,!connector-legacy-*', dryRun: true },
    });
    expect(res.statusCode).toBe(202);
    const task = await store!.getTask(res.json().runId);
    expect(task?.kind).toBe('fleet');
    expect(task?.data['fleet']).toMatchObject({
      org: 'acme',
      patterns: ['connector-*', '!connector-legacy-*'],
      dryRun: true,
      notify: 'summary',
    });
  });

  it('refuses a request without the admin token', async () => {
    const res = await (await app()).inject({ method: 'POST', url: '/api/fleet', payload: { org: 'acme' } });
    expect(res.statusCode).toBe(401);
  });

  it('refuses an org that is not a login and an unknown field', async () => {
    const server = await app();
    expect(
      (await server.inject({ method: 'POST', url: '/api/fleet', headers: auth, payload: { org: '../etc' } }))
        .statusCode,
    ).toBe(400);
    expect(
      (await server.inject({ method: 'POST', url: '/api/fleet', headers: auth, payload: { org: 'acme', force: true } }))
        .statusCode,
    ).toBe(400);
  });

  it('refuses a pattern list with an empty entry', async () => {
    const res = await (await app()).inject({
      method: 'POST',
      url: '/api/fleet',
      headers: auth,
      payload: { org: 'acme', pattern: 'connector-*,,x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/empty entry/);
  });
});
