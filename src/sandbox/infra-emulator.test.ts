import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type InfraEmulator, startInfraEmulator } from './infra-emulator.js';

const TOKEN = 'infra-secret-token-123';
let emu: InfraEmulator;
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

beforeEach(async () => {
  emu = await startInfraEmulator({ token: TOKEN, connectors: { 'connector-a': 'ghcr.io/acme/connector-a:1.0.0' } });
});
afterEach(async () => {
  await emu.close();
});

const put = (id: string, image: string, headers: Record<string, string> = auth) =>
  fetch(`${emu.url}/connectors/${id}/image`, { method: 'PUT', headers, body: JSON.stringify({ image }) });

describe('infra API emulator', () => {
  it('records an authenticated image update and shows it on the connector and the updates list', async () => {
    const res = await put('connector-a', 'ghcr.io/acme/connector-a:1.1.0');
    expect(res.status).toBe(200);
    const connector = await (await fetch(`${emu.url}/connectors/connector-a`, { headers: auth })).json();
    expect(connector).toMatchObject({ id: 'connector-a', image: 'ghcr.io/acme/connector-a:1.1.0', status: 'healthy' });
    const { updates } = (await (await fetch(`${emu.url}/_emulator/updates`)).json()) as { updates: unknown[] };
    expect(updates).toMatchObject([
      { seq: 1, connectorId: 'connector-a', previousImage: 'ghcr.io/acme/connector-a:1.0.0' },
    ]);
    expect(emu.updates('connector-a')).toHaveLength(1);
  });

  it('answers 401 without the auth header and 403 with a wrong credential, recording nothing', async () => {
    expect(
      (await put('connector-a', 'ghcr.io/acme/connector-a:2.0.0', { 'content-type': 'application/json' })).status,
    ).toBe(401);
    expect((await put('connector-a', 'ghcr.io/acme/connector-a:2.0.0', { authorization: 'Bearer nope' })).status).toBe(
      403,
    );
    expect(emu.updates()).toEqual([]);
  });

  it('fails the next requests on purpose, in order, then recovers', async () => {
    emu.failNext([500, { status: 503, body: 'upstream down' }]);
    expect((await put('connector-a', 'ghcr.io/acme/connector-a:2.0.0')).status).toBe(500);
    const second = await put('connector-a', 'ghcr.io/acme/connector-a:2.0.0');
    expect([second.status, await second.text()]).toEqual([503, 'upstream down']);
    expect((await put('connector-a', 'ghcr.io/acme/connector-a:2.0.0')).status).toBe(200);
    expect(emu.requestCount('update')).toBe(3);
    expect(emu.updates()).toHaveLength(1);
  });

  it('can be told to fail or stall over HTTP, for the demo', async () => {
    await fetch(`${emu.url}/_emulator/control`, {
      method: 'POST',
      body: JSON.stringify({ failNext: [502], delayMs: 150 }),
    });
    const started = Date.now();
    expect((await put('connector-a', 'ghcr.io/acme/connector-a:2.0.0')).status).toBe(502);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('reports deploying right after an update and healthy later', async () => {
    await emu.close();
    emu = await startInfraEmulator({ token: TOKEN, healthyAfterMs: 200 });
    await put('connector-b', 'ghcr.io/acme/connector-b:1.0.0');
    const status = async () =>
      (
        (await (await fetch(`${emu.url}/connectors/connector-b/status`, { headers: auth })).json()) as {
          status: string;
        }
      ).status;
    expect(await status()).toBe('deploying');
    await new Promise((r) => setTimeout(r, 250));
    expect(await status()).toBe('healthy');
    emu.setHealth('connector-b', 'unhealthy');
    expect(await status()).toBe('unhealthy');
  });

  it('rejects a body that is not an image reference', async () => {
    expect((await put('connector-a', 'ghcr.io/acme/x:1; rm -rf /')).status).toBe(400);
    const raw = await fetch(`${emu.url}/connectors/connector-a/image`, {
      method: 'PUT',
      headers: auth,
      body: '{not json',
    });
    expect(raw.status).toBe(400);
    expect(emu.updates()).toEqual([]);
  });

  it('answers 404 for unknown connectors and routes', async () => {
    expect((await fetch(`${emu.url}/connectors/ghost`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${emu.url}/nope`, { headers: auth })).status).toBe(404);
  });
});
