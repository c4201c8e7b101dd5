import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type InfraEmulator, startInfraEmulator } from '../sandbox/infra-emulator.js';
import { createInfraApiDriver } from './infra-api.js';
import type { RolloutRecord } from './rollback.js';
import { runRollback } from './run-rollback.js';

const TOKEN = 'rollback-token-123456';
const img = (v: string) => `ghcr.io/acme/connector-x:${v}`;
const history: RolloutRecord[] = ['1.0.0', '1.1.0', '1.2.0'].map((v, i) => ({
  connectorId: 'connector-x',
  image: img(v),
  version: v,
  at: `2026-01-0${i + 1}T00:00:00Z`,
  kind: 'rollout',
  ok: true,
}));
let emu: InfraEmulator;
beforeEach(async () => {
  emu = await startInfraEmulator({ token: TOKEN, connectors: { 'connector-x': img('1.2.0') } });
});
afterEach(async () => {
  await emu.close();
});
const driver = () =>
  createInfraApiDriver({ baseUrl: emu.url, auth: { env: 'T' }, backoffMs: 1 }, { env: { T: TOKEN } });
const now = () => '2026-01-04T00:00:00Z';

describe('runRollback', () => {
  it('re-deploys the previous release and returns a rollback record for the history', async () => {
    const run = await runRollback(driver(), history, 'connector-x', { now });
    expect(run.plan).toMatchObject({ kind: 'rollback', from: img('1.2.0'), to: img('1.1.0') });
    expect(run.result).toMatchObject({ outcome: 'updated', status: 200 });
    expect(run.record).toEqual({
      connectorId: 'connector-x',
      image: img('1.1.0'),
      version: '1.1.0',
      at: now(),
      kind: 'rollback',
      ok: true,
    });
    expect(emu.updates().map((u) => u.image)).toEqual([img('1.1.0')]);
    // a second rollback, with the first one recorded, walks back one more release
    const again = await runRollback(driver(), [...history, run.record as RolloutRecord], 'connector-x', { now });
    expect(again.plan).toMatchObject({ to: img('1.0.0') });
  });

  it('only says what it would do in a dry run, and records nothing', async () => {
    const run = await runRollback(driver(), history, 'connector-x', { now, dryRun: true });
    expect(run.result?.outcome).toBe('dry-run');
    expect(run.record).toBeNull();
    expect(emu.updates()).toEqual([]);
  });

  it('does nothing when the connector runs the only release on record', async () => {
    await driver().rollout({ connectorId: 'connector-x', image: img('1.0.0') });
    const run = await runRollback(driver(), history.slice(0, 1), 'connector-x', { now });
    expect(run).toMatchObject({ plan: { kind: 'nothing' }, result: null, record: null });
  });

  it('goes back to the last release when the target runs an image nobody recorded', async () => {
    const run = await runRollback(driver(), history.slice(0, 1), 'connector-x', { now });
    expect(run.plan).toMatchObject({ kind: 'rollback', from: img('1.2.0'), to: img('1.0.0') });
  });
});
