import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CutterError, isCutterError } from '../core/errors.js';
import { type InfraEmulator, startInfraEmulator } from '../sandbox/infra-emulator.js';
import { createInfraApiDriver, type InfraApiConfig } from './infra-api.js';

const TOKEN = 'infra-token-0123456789abcdef';
const env = { INFRA_TOKEN: TOKEN };
let emu: InfraEmulator;

beforeEach(async () => {
  emu = await startInfraEmulator({ token: TOKEN, connectors: { 'connector-x': 'ghcr.io/acme/connector-x:1.4.1' } });
});
afterEach(async () => {
  await emu.close();
});

function driver(extra: Partial<InfraApiConfig> = {}, logs: string[] = []) {
  return createInfraApiDriver(
    { baseUrl: emu.url, auth: { env: 'INFRA_TOKEN' }, backoffMs: 5, timeoutMs: 2_000, ...extra },
    { env, log: (l) => logs.push(l) },
  );
}

async function failure(p: Promise<unknown>): Promise<CutterError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CutterError) return err;
    throw err;
  }
  throw new Error('expected the roll-out to fail');
}

const req = { connectorId: 'connector-x', image: 'ghcr.io/acme/connector-x:1.4.2', version: '1.4.2' };

describe('infra API roll-out', () => {
  it('updates the image with one PUT and reports the 200 the seed waits for', async () => {
    const result = await driver().rollout(req);
    expect(result).toMatchObject({
      outcome: 'updated',
      status: 200,
      attempts: 1,
      previousImage: 'ghcr.io/acme/connector-x:1.4.1',
    });
    expect(emu.updates().map((u) => u.image)).toEqual([req.image]);
  });

  it('survives three 500s and succeeds on the fourth attempt, logging every retry', async () => {
    emu.failNext([500, 500, 500]);
    const logs: string[] = [];
    const result = await driver({}, logs).rollout(req);
    expect(result).toMatchObject({ outcome: 'updated', status: 200, attempts: 4 });
    expect(logs).toHaveLength(3);
    expect(logs[0]).toMatch(
      /^attempt 1\/5 failed \(PUT http:\/\/127\.0\.0\.1:\d+\/connectors\/connector-x\/image answered 500.*\), retrying in \d+ms$/,
    );
    expect(result.log.slice(0, 3)).toEqual(logs);
    expect(emu.requestCount('update')).toBe(4);
    expect(emu.updates()).toHaveLength(1);
  });

  it('gives up after the configured retries with a transient error carrying the status', async () => {
    emu.failNext([503, 503, 503]);
    const err = await failure(driver({ retries: 2 }).rollout(req));
    expect(err.code).toBe('CUTTER_DEPLOY_FAILED');
    expect(err.transient).toBe(true);
    expect(err.details).toMatchObject({ status: 503, attempts: 3 });
    expect(emu.updates()).toEqual([]);
  });

  it('fails fast on 403 with the status and a redacted excerpt, never the token', async () => {
    emu.failNext([{ status: 403, body: JSON.stringify({ message: `token ${TOKEN} lacks scope connectors:write` }) }]);
    const err = await failure(driver().rollout(req));
    expect(err.code).toBe('CUTTER_DEPLOY_FAILED');
    expect(err.transient).toBe(false);
    expect(err.details).toMatchObject({ status: 403, attempts: 1 });
    expect(err.message).toContain('answered 403');
    expect(err.message).toContain('lacks scope connectors:write');
    expect(err.hint).toContain('INFRA_TOKEN');
    for (const text of [err.message, err.toLine(), JSON.stringify(err.toJSON()), String(err.hint)])
      expect(text).not.toContain(TOKEN);
    expect(emu.requestCount('update')).toBe(1);
  });

  it('fails fast when the credential is wrong, naming the variable and not the value', async () => {
    const wrong = 'wrong-token-abcdef123456';
    const d = createInfraApiDriver({ baseUrl: emu.url, auth: { env: 'INFRA_TOKEN' } }, { env: { INFRA_TOKEN: wrong } });
    const err = await failure(d.rollout(req));
    expect(err.details).toMatchObject({ status: 403 });
    expect(err.toLine()).not.toContain(wrong);
  });

  it('is a no-op when the connector already runs the image: same image twice, one update', async () => {
    const d = driver();
    const first = await d.rollout(req);
    const second = await d.rollout(req);
    expect([first.outcome, second.outcome]).toEqual(['updated', 'unchanged']);
    expect(emu.updates()).toHaveLength(1);
    expect(await d.current?.('connector-x')).toBe(req.image);
  });

  it('times out on a slow API with a transient error that says so', async () => {
    emu.setDelay(400);
    const err = await failure(driver({ timeoutMs: 100, retries: 1, currentUrl: null }).rollout(req));
    expect(err.code).toBe('CUTTER_DEPLOY_FAILED');
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/timed out after 100ms/);
    expect(err.details).toMatchObject({ reason: 'timeout', attempts: 2 });
  });

  it('polls the status URL until the connector is healthy', async () => {
    await emu.close();
    emu = await startInfraEmulator({ token: TOKEN, healthyAfterMs: 150 });
    const result = await driver({
      statusUrl: '{base}/connectors/{connectorId}/status',
      health: { intervalMs: 25, timeoutMs: 3_000 },
    }).rollout(req);
    expect(result).toMatchObject({ outcome: 'updated', healthy: true });
    expect(result.log.at(-1)).toMatch(/^healthy after ([2-9]|\d\d+) poll\(s\)$/);
  });

  it('fails when the connector never becomes healthy, suggesting a rollback', async () => {
    emu.setHealth('connector-x', 'unhealthy');
    const d = driver({
      statusUrl: '{base}/connectors/{connectorId}/status',
      health: { intervalMs: 20, timeoutMs: 150 },
    });
    const err = await failure(d.rollout(req));
    expect(err.message).toMatch(/not healthy 150ms after the update .* \(last: 200 unhealthy\)/);
    expect(err.hint).toContain('cutter rollback --connector connector-x');
  });

  it('says what it would do in a dry run and sends nothing', async () => {
    const result = await driver().rollout(req, { dryRun: true });
    expect(result.outcome).toBe('dry-run');
    expect(result.log[0]).toMatch(
      /^would PUT .*\/connectors\/connector-x\/image with \{"image":"ghcr\.io\/acme\/connector-x:1\.4\.2"\} \(now: ghcr\.io\/acme\/connector-x:1\.4\.1\)$/,
    );
    expect(emu.updates()).toEqual([]);
  });

  it('uses a custom URL template, method and API-key header', async () => {
    await emu.close();
    emu = await startInfraEmulator({ token: TOKEN, authHeader: 'x-api-key', authScheme: '' });
    const d = createInfraApiDriver(
      {
        baseUrl: `${emu.url}/`,
        updateUrl: '{base}/connectors/{connectorId}/image',
        method: 'POST',
        currentUrl: null,
        auth: { env: 'K', header: 'x-api-key', scheme: '' },
      },
      { env: { K: TOKEN } },
    );
    expect((await d.rollout(req)).status).toBe(200);
    expect(emu.updates()).toHaveLength(1);
  });

  it('refuses to start without the credential variable', async () => {
    const d = createInfraApiDriver({ baseUrl: emu.url, auth: { env: 'MISSING_VAR' } }, { env: {} });
    const err = await failure(d.rollout(req));
    expect(err.code).toBe('CUTTER_CONFIG_INVALID');
    expect(err.message).toContain('MISSING_VAR');
  });

  it('retries connection errors and then fails transiently', async () => {
    const url = emu.url;
    await emu.close();
    emu = await startInfraEmulator({ token: TOKEN }); // a fresh one for afterEach; the old port is closed
    const d = createInfraApiDriver(
      { baseUrl: url, auth: { env: 'INFRA_TOKEN' }, retries: 1, backoffMs: 1, currentUrl: null },
      { env },
    );
    const err = await failure(d.rollout(req));
    expect(err.transient).toBe(true);
    expect(err.details).toMatchObject({ reason: 'network', attempts: 2 });
  });

  it.each([
    ['a hostile connector id', { connectorId: '../../admin', image: req.image }],
    ['an empty connector id', { connectorId: '', image: req.image }],
    ['a hostile image', { connectorId: 'connector-x', image: 'ghcr.io/acme/x:1\nrm' }],
  ])('rejects %s before sending anything', async (_label, bad) => {
    const err = await failure(driver().rollout(bad));
    expect(isCutterError(err, 'CUTTER_BAD_INPUT')).toBe(true);
    expect(emu.requestCount('update') + emu.requestCount('read')).toBe(0);
  });

  it('rejects a 400 without retrying it', async () => {
    emu.failNext([{ status: 400, body: '{"message":"image not in allow-list"}' }]);
    const err = await failure(driver().rollout(req));
    expect(err.message).toContain('answered 400: {"message":"image not in allow-list"}');
    expect(emu.requestCount('update')).toBe(1);
  });
});
