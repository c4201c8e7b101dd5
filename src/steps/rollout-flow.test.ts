// The build flow on a real store, the infra emulator and a JSON-webhook receiver: failures, rollbacks, the history.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { planRollback } from '../deploy/rollback.js';
import { kvRolloutHistory, type RolloutHistory } from '../deploy/rollout-history.js';
import { type RecordingReceiver, startRecordingReceiver } from '../notify/recording-receiver.js';
import { type InfraEmulator, startInfraEmulator } from '../sandbox/infra-emulator.js';
import { releaseMetrics } from '../server/release-metrics.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { type LocalRegistry, startLocalRegistry } from '../supply/local-registry.js';
import { buildImageLayout, pushImageLayout } from '../supply/oci-image.js';
import { createRegistryClient } from '../supply/registry-client.js';
import { startFaultProxy } from '../supply/registry-fault-proxy.js';
import { Engine } from '../workflow/engine.js';
import { BEFORE_TARGET_STEPS, BUILD_TASK_KIND, type BuildTaskData } from './rollout-data.js';
import type { RolloutDeps } from './rollout-deps.js';
import { rolloutFlow, rolloutSteps } from './rollout-flow.js';
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

const deps = (): RolloutDeps => ({
  history,
  env: { INFRA_TOKEN: TOKEN },
  notifyOptions: { retries: 0 },
  sleep: async () => {},
  registryOptions: { retries: 1, backoffMs: 1, timeoutMs: 2_000 },
});

const run = (d: BuildTaskData) => runBuild({ store, deps: deps(), data: d });

/** `cutter tasks retry`: the failed task runs again from the step that failed. */
async function retry(taskId: string) {
  await store.retryTask(taskId, 'test');
  await new Engine({ pollMs: 20, store, flows: { [BUILD_TASK_KIND]: rolloutFlow }, deps: deps() }).runUntilIdle();
  return (await store.getTask(taskId))!;
}

const failures = () => hook.received.map((r) => r.body as { kind: string; status: string; image: string });

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

  it('records the success of a roll-out retried after its driver failed, next to the failure', async () => {
    emu.failNext([{ status: 403, body: 'no' }]);
    const { task } = await run(data({ image: image('1.1.0') }));
    expect(task.status).toBe('failed');
    const done = await retry(task.id);
    expect([done.status, done.error]).toEqual(['done', null]);
    expect((await history.list()).map((r) => [r.image, r.ok, r.taskId])).toEqual([
      [image('1.1.0'), false, task.id],
      [image('1.1.0'), true, task.id],
    ]);
    expect((await history.currentImages()).get('connector-x')?.image).toBe(image('1.1.0'));
  });

  it('finishes a rollback with nothing on record as skipped, touching nothing', async () => {
    const { task } = await run(data({ rollback: true }));
    expect(task.status).toBe('done');
    expect(task.data['skipped']).toMatchObject({ reason: expect.stringMatching(/no successful roll-out/) });
    expect(emu.updates()).toEqual([]);
  });
});

describe('the supply gates before the driver', () => {
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
    const sent = failures();
    expect(sent.map((s) => s.kind)).toEqual(['rollout-failed']);
    expect(sent[0]?.status).toBe(
      `image ${registry.host}/acme/connector-x@${layout.manifestDigest} lacks signature (none stored), provenance (none stored)`,
    );
    expect(emu.updates()).toEqual([]);
  });

  it('records a refused image as a failed roll-out that never runs: not current, no rollback target, no change failure', async () => {
    const released = (v: string, at: string) =>
      history.append({ connectorId: 'connector-x', image: image(v), version: v, at, kind: 'rollout', ok: true });
    await released('1.0.0', '2026-01-01T00:00:00.000Z');
    await released('1.1.0', '2026-01-02T00:00:00.000Z');
    const layout = buildImageLayout({ files: { VERSION: 'refused\n' } });
    await pushImageLayout(
      createRegistryClient(),
      { registry: registry.host, path: 'acme/connector-x' },
      layout,
      '2.1.0',
    );
    const d = data({ image: `${registry.host}/acme/connector-x:2.1.0`, version: '2.1.0', tag: 'v2.1.0' });
    d.deploy = { ...d.deploy, supply: { require: ['sbom'], publicKeys: [join(dir, 'release.pub')] } } as never;
    const { task } = await run(d);
    expect([task.status, task.step]).toEqual(['failed', 'image-policy']);
    const pinned = `${registry.host}/acme/connector-x@${layout.manifestDigest}`;
    expect((await history.list()).at(-1)).toEqual({
      connectorId: 'connector-x',
      image: pinned,
      version: '2.1.0',
      repo: 'acme/connector-x',
      tag: 'v2.1.0',
      taskId: task.id,
      at: expect.any(String),
      kind: 'rollout',
      ok: false,
    });
    // The dashboard's image column and `cutter rollback` go by what runs: the refused image never did.
    expect((await history.currentImages()).get('connector-x')?.image).toBe(image('1.1.0'));
    expect(planRollback(await history.list(), 'connector-x')).toMatchObject({
      from: image('1.1.0'),
      to: image('1.0.0'),
    });
    const metrics = releaseMetrics((await store.listTasks({})).tasks, new Date(), 1, {}, await history.list());
    expect(metrics.repos['acme/connector-x']).toMatchObject({ failures: 0, notDeployed: 1, changeFailureRate: null });
  });

  it('tells the team an image that never appeared failed to roll out, naming the reference, and records it', async () => {
    const ref = `${registry.host}/acme/connector-x:7.7.7`;
    const d = data({ image: ref, version: '7.7.7' });
    d.deploy = { ...d.deploy, supply: { waitForImageSeconds: 0 } } as never;
    const { task } = await run(d);
    expect([task.status, task.step, task.error?.code]).toEqual(['failed', 'pin-image', 'CUTTER_NOT_FOUND']);
    const sent = failures();
    expect(sent.map((s) => [s.kind, s.image])).toEqual([['rollout-failed', ref]]);
    expect(sent[0]?.status).toBe(`image ${ref} not found in the registry after 0s`);
    expect(await history.list()).toMatchObject([{ image: ref, ok: false, taskId: task.id }]);
    expect(emu.updates()).toEqual([]);
  });

  it('ends the wait clock when it gives up on the image: a retry looks again and, still missing, waits afresh', async () => {
    const ref = `${registry.host}/acme/connector-x:7.7.8`;
    const d = data({ image: ref, version: '7.7.8' });
    d.deploy = { ...d.deploy, supply: { waitForImageSeconds: 60 } } as never;
    // The minute of waiting is long over (the task waited, parked, through a restart of the server, say).
    d.imageWaitingSince = new Date(Date.now() - 3_600_000).toISOString();
    const { task } = await run(d);
    expect([task.status, task.step, task.error?.code]).toEqual(['failed', 'pin-image', 'CUTTER_NOT_FOUND']);
    expect(task.error?.message).toBe(`image ${ref} not found in the registry after 60s`);
    expect((task.data as unknown as BuildTaskData).imageWaitingSince).toBeUndefined();
    expect(failures().map((s) => [s.kind, s.image])).toEqual([['rollout-failed', ref]]);

    await store.retryTask(task.id, 'test');
    const engine = new Engine({ pollMs: 20, store, flows: { [BUILD_TASK_KIND]: rolloutFlow }, deps: deps() });
    // Parked for another minute, so the engine is never idle within the half second.
    await expect(engine.runUntilIdle({ timeoutMs: 500 })).rejects.toMatchObject({ code: 'CUTTER_STEP_TIMEOUT' });
    const again = (await store.getTask(task.id))!;
    expect([again.status, again.step, again.waitReason]).toEqual([
      'waiting',
      'pin-image',
      `waiting for image ${ref} in the registry`,
    ]);
    expect(Date.now() - Date.parse((again.data as unknown as BuildTaskData).imageWaitingSince!)).toBeLessThan(60_000);
  });

  it('stays quiet while a failing registry is retried and tells the team once when the step gives up', async () => {
    const proxy = await startFaultProxy(`http://${registry.host}`);
    try {
      const repo = { registry: registry.host, path: 'acme/connector-x' };
      await pushImageLayout(createRegistryClient(), repo, buildImageLayout({ files: { VERSION: 'x\n' } }), '3.0.0');
      const ref = `${proxy.host}/acme/connector-x:3.0.0`;
      proxy.fail(1_000, { status: 500 });
      const d = data({ image: ref });
      d.deploy = { ...d.deploy, supply: {} } as never;
      const { task, log } = await run(d);
      expect([task.status, task.step]).toEqual(['failed', 'pin-image']);
      // The engine ran the step twice; only the last failure was told and recorded.
      expect(log.filter((e) => e.step === 'pin-image').map((e) => e.outcome)).toEqual(['retry', 'error']);
      const sent = failures();
      expect(sent.map((s) => [s.kind, s.image])).toEqual([['rollout-failed', ref]]);
      expect(sent[0]?.status).toMatch(`cannot resolve image ${ref}: registry`);
      expect(await history.list()).toMatchObject([{ image: ref, ok: false }]);
    } finally {
      await proxy.close();
    }
  });
});

describe('the roll-out history', () => {
  it('knows the steps that run before the driver is called (the metrics count their failures as not deployed)', () => {
    const names = rolloutSteps.map((step) => step.name);
    expect(BEFORE_TARGET_STEPS).toEqual(names.slice(0, names.indexOf('roll-out')));
  });

  it('appends a task record once, even when its step re-runs after a crash', async () => {
    const record = { connectorId: 'c', image: image('1.0.0'), at: '2026-01-01T00:00:00Z', kind: 'rollout' as const };
    await history.append({ ...record, ok: true, taskId: 't1' });
    await history.append({ ...record, ok: true, taskId: 't1' });
    await Promise.all(['t2', 't3', 't4'].map((taskId) => history.append({ ...record, ok: true, taskId })));
    expect((await history.list('c')).map((r) => r.taskId).sort()).toEqual(['t1', 't2', 't3', 't4']);
    expect((await history.currentImages()).get('c')?.image).toBe(image('1.0.0'));
  });
});
