// The build flow on a real store, the infra emulator and a JSON-webhook receiver: failures, rollbacks, the history.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kvRolloutHistory, type RolloutHistory } from '../deploy/rollout-history.js';
import { type RecordingReceiver, startRecordingReceiver } from '../notify/recording-receiver.js';
import { type InfraEmulator, startInfraEmulator } from '../sandbox/infra-emulator.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { type LocalRegistry, startLocalRegistry } from '../supply/local-registry.js';
import { buildImageLayout, pushImageLayout } from '../supply/oci-image.js';
import { createRegistryClient } from '../supply/registry-client.js';
import type { BuildTaskData } from './rollout-data.js';
import { runBuild } from './run-build.js';

const TOKEN = 'flow-infra-token-abcdef123';
const image = (v: string) => `ghcr.io/acme/connector-x:${v}`;
let store: SqliteStore;
let emu: InfraEmulator;
let hook: RecordingReceiver;
let history: RolloutHistory;

beforeEach(async () => {
  store = new SqliteStore(':memory:');
  history = kvRolloutHistory(store);
  [emu, hook] = await Promise.all([
    startInfraEmulator({ token: TOKEN, connectors: { 'connector-x': image('1.0.0') } }),
    startRecordingReceiver(),
  ]);
});
afterEach(async () => {
  await Promise.all([emu.close(), hook.close(), store.close()]);
});

function data(build: Partial<BuildTaskData['build']>): BuildTaskData {
  return {
    build: { type: 'connector', connectorId: 'connector-x', repo: 'acme/connector-x', ...build },
    deploy: {
      driver: { type: 'infra-api', baseUrl: emu.url, auth: { env: 'INFRA_TOKEN' }, retries: 2, backoffMs: 1 },
      notify: { ops: { type: 'json-webhook', url: `${hook.url}/hook` } },
      source: 'test',
    },
  };
}

const run = (d: BuildTaskData) =>
  runBuild({
    store,
    deps: { history, env: { INFRA_TOKEN: TOKEN }, notifyOptions: { retries: 0 }, sleep: async () => {} },
    data: d,
  });

describe('the build flow', () => {
  it('retries a 5xx, records the roll-out and tells the team the image is out', async () => {
    emu.failNext([500, 502]);
    const { task, log } = await run(data({ image: image('1.1.0'), version: '1.1.0', tag: 'v1.1.0' }));
    expect([task.status, task.error]).toEqual(['done', null]);
    expect(task.data['rollout']).toMatchObject({ outcome: 'updated', attempts: 3, previousImage: image('1.0.0') });
    expect(log.flatMap((e) => e.messages.map((m) => m.message)).join('\n')).toMatch(/attempt 1\/3 failed .*500/);
    // The release tag is kept with the record: `cutter verify` finds the digest a release rolled out by it.
    expect(await history.list()).toMatchObject([
      { image: image('1.1.0'), tag: 'v1.1.0', kind: 'rollout', ok: true, taskId: task.id },
    ]);
    expect(hook.received.map((r) => (r.body as { kind: string }).kind)).toEqual(['rolled-out']);
  });

  it('fails the task on a 4xx, records the failed roll-out and sends a failure message without the token', async () => {
    emu.failNext([{ status: 403, body: `no: ${TOKEN}` }]);
    const { task } = await run(data({ image: image('1.1.0') }));
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('CUTTER_DEPLOY_FAILED');
    expect(JSON.stringify(task)).not.toContain(TOKEN);
    expect(await history.list()).toMatchObject([{ image: image('1.1.0'), ok: false }]);
    const sent = hook.received.map((r) => r.body as { kind: string; status: string });
    expect(sent.map((s) => s.kind)).toEqual(['rollout-failed']);
    expect(sent[0]?.status).toMatch(/403/);
    expect(JSON.stringify(sent)).not.toContain(TOKEN);
  });

  it('finishes a rollback with nothing on record as skipped, touching nothing', async () => {
    const { task } = await run(data({ rollback: true }));
    expect(task.status).toBe('done');
    expect(task.data['skipped']).toMatchObject({ reason: expect.stringMatching(/no successful roll-out/) });
    expect(emu.updates()).toEqual([]);
  });
});

describe('the image policy gate', () => {
  let registry: LocalRegistry;
  let dir: string;
  beforeAll(async () => {
    registry = await startLocalRegistry();
    dir = await mkdtemp(join(tmpdir(), 'cutter-policy-'));
  });
  afterAll(async () => {
    await registry?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('tells the team a refused image failed to roll out, naming what it lacks; nothing reaches the driver', async () => {
    const repo = { registry: registry.host, path: 'acme/connector-x' };
    const layout = buildImageLayout({ files: { VERSION: 'unsigned\n' } });
    await pushImageLayout(createRegistryClient(), repo, layout, '2.0.0');
    const pub = join(dir, 'release.pub');
    await writeFile(
      pub,
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    const d = data({ image: `${registry.host}/acme/connector-x:2.0.0`, version: '2.0.0' });
    d.deploy = { ...d.deploy, supply: { require: ['signature', 'provenance'], publicKeys: [pub] } } as never;
    const { task } = await run(d);
    expect([task.status, task.step, task.error?.code]).toEqual(['failed', 'image-policy', 'CUTTER_REFUSED']);
    const sent = hook.received.map((r) => r.body as { kind: string; status: string; image: string });
    expect(sent.map((s) => s.kind)).toEqual(['rollout-failed']);
    expect(sent[0]?.status).toBe(
      `image ${registry.host}/acme/connector-x@${layout.manifestDigest} lacks signature (none stored), provenance (none stored)`,
    );
    expect(emu.updates()).toEqual([]);
  });
});

describe('the roll-out history', () => {
  it('appends a task record once, even when its step re-runs after a crash', async () => {
    const record = { connectorId: 'c', image: image('1.0.0'), at: '2026-01-01T00:00:00Z', kind: 'rollout' as const };
    await history.append({ ...record, ok: true, taskId: 't1' });
    await history.append({ ...record, ok: true, taskId: 't1' });
    await Promise.all(['t2', 't3', 't4'].map((taskId) => history.append({ ...record, ok: true, taskId })));
    expect((await history.list('c')).map((r) => r.taskId).sort()).toEqual(['t1', 't2', 't3', 't4']);
    expect((await history.currentImages()).get('c')?.image).toBe(image('1.0.0'));
  });
});
