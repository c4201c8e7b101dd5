// `cutter rollout` and `cutter rollback` spawned from source against the infra emulator and a Slack-like receiver.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kvRolloutHistory } from '../src/deploy/rollout-history.js';
import { type RecordingReceiver, startRecordingReceiver } from '../src/notify/recording-receiver.js';
import { type InfraEmulator, startInfraEmulator } from '../src/sandbox/infra-emulator.js';
import { SqliteStore } from '../src/store/sqlite-store.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const INFRA_TOKEN = 'cli-infra-token-0123456789';
const image = (v: string) => `ghcr.io/acme/connector-x:${v}`;

let dir: string;
let emu: InfraEmulator;
let hook: RecordingReceiver;

function cutter(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const full: NodeJS.ProcessEnv = { ...process.env, INFRA_TOKEN, CUTTER_DB: join(dir, 'cutter.db'), ...env };
    delete full['CUTTER_DEBUG'];
    delete full['GITHUB_TOKEN'];
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args, '-C', dir], { env: full });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutter-rollout-cli-'));
  [emu, hook] = await Promise.all([
    startInfraEmulator({ token: INFRA_TOKEN, connectors: { 'connector-x': image('1.0.0') } }),
    startRecordingReceiver(),
  ]);
  await writeFile(
    join(dir, '.cutter.yml'),
    [
      'notify:',
      `  ops: { type: json-webhook, url: "${hook.url}/hook" }`,
      'deploy:',
      '  image: "ghcr.io/acme/{repo}:{version}"',
      `  driver: { type: infra-api, baseUrl: "${emu.url}", auth: { env: INFRA_TOKEN }, backoffMs: 5, retries: 1 }`,
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await Promise.all([emu?.close(), hook?.close()]);
  await rm(dir, { recursive: true, force: true });
});

// Each spawn starts tsx from source: several seconds apiece on a loaded two-core machine.
describe('cutter rollout / rollback', { timeout: 240_000 }, () => {
  it('shows what a dry run would change and changes nothing', async () => {
    const r = await cutter(['rollout', '--connector', 'connector-x', '--image', image('1.1.0'), '--dry-run']);
    expect(r.stderr).not.toMatch(/CUTTER_/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`would PUT ${emu.url}/connectors/connector-x/image`);
    expect(r.stdout).toContain(`dry run: connector-x would move from ${image('1.0.0')} to ${image('1.1.0')}`);
    expect(emu.updates()).toEqual([]);
  });

  it('rolls out, is a no-op the second time, and rolls back to the previous release', async () => {
    for (const v of ['1.1.0', '1.2.0']) {
      const r = await cutter(['rollout', '--connector', 'connector-x', '--image', image(v)]);
      expect([r.code, r.stderr.match(/CUTTER_\w+.*/)?.[0]]).toEqual([0, undefined]);
      expect(r.stdout).toContain(`connector-x updated to ${image(v)}`);
    }
    const again = await cutter(['rollout', '--connector', 'connector-x', '--image', image('1.2.0')]);
    expect(again.stdout).toContain(`connector-x already runs ${image('1.2.0')}: nothing changed`);
    expect(emu.updates().map((u) => u.image)).toEqual([image('1.1.0'), image('1.2.0')]);

    const back = await cutter(['rollback', '--connector', 'connector-x', '--json']);
    expect(back.code).toBe(0);
    const out = JSON.parse(back.stdout) as { status: string; build: { image: string }; plan: { reason: string } };
    expect(out).toMatchObject({ status: 'done', build: { image: image('1.1.0') } });
    expect(emu.connector('connector-x')?.image).toBe(image('1.1.0'));
    // the team heard about each change, the rollback too
    const texts = hook.received.map((r) => (r.body as { kind?: string; status?: string }).kind);
    expect(texts).toEqual(['rolled-out', 'rolled-out', 'rolled-out']);

    const store = new SqliteStore(join(dir, 'cutter.db'));
    try {
      const records = await kvRolloutHistory(store).list('connector-x');
      expect(records.map((r) => [r.kind, r.image, r.ok])).toEqual([
        ['rollout', image('1.1.0'), true],
        ['rollout', image('1.2.0'), true],
        ['rollback', image('1.1.0'), true],
      ]);
    } finally {
      await store.close();
    }
  });

  it('fails with a clear line and no token when the infrastructure refuses the credential', async () => {
    emu.failNext([{ status: 403, body: `forbidden for ${INFRA_TOKEN}` }]);
    const r = await cutter(['rollout', '--connector', 'connector-x', '--image', image('1.3.0')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CUTTER_DEPLOY_FAILED: PUT .* answered 403/);
    expect(r.stderr).toMatch(/INFRA_TOKEN/);
    expect(r.stdout + r.stderr).not.toContain(INFRA_TOKEN.slice(4));
  });

  it('explains usage errors', async () => {
    const noImage = await cutter(['rollout', '--connector', 'connector-x']);
    expect([noImage.code, noImage.stderr.trim()]).toEqual([
      2,
      'CUTTER_BAD_INPUT: --image is required — --image ghcr.io/acme/connector-x:1.4.2',
    ]);
    const badId = await cutter(['rollback', '--connector', '../x']);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('build.connectorId');
    const help = await cutter(['rollback', '--help']);
    expect(help.stdout).toContain('cutter rollback --connector connector-x --dry-run');
  });
});
