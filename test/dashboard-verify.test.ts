/// <reference lib="dom" />
// The release page of the dashboard shows the verify checklist, in real Chromium: ✔ lines for a verified release,
// ✖ with the reason for one signed by a key nobody trusts.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServe } from '../src/server/serve.js';
import { silentLogger } from '../src/server/server-logger.js';
import type { TaskRecord } from '../src/store/types.js';
import { signingKeyFromPem } from '../src/supply/signing-key.js';
import { gitOk, type Harness, startSandbox, TOKEN } from './sandbox-harness.js';

const CHROMIUM = process.env['CUTTER_CHROMIUM'] ?? '/usr/bin/chromium';
const SECRET = 'verify-page-webhook-secret';
const API = 'verify-page-admin-token-1';
const pem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const SIGNING = pem();
const LOCK = JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'x', version: '0.0.0' } } });

let h: Harness;
let server: RunningServer;
let dir: string;
let browser: Browser;
let page: Page;

async function release(name: string, publicKey: string): Promise<TaskRecord> {
  await h.octokit.rest.repos.createInOrg({ org: 'acme', name });
  const work = await h.tmp();
  await gitOk(work, ['clone', '--quiet', h.remote('acme', name), 'clone']);
  const clone = join(work, 'clone');
  await gitOk(clone, ['checkout', '-q', '-B', 'main']);
  await writeFile(join(clone, 'release.pub'), publicKey);
  await writeFile(join(clone, 'package-lock.json'), LOCK);
  await writeFile(
    join(clone, '.cutter.yml'),
    'supply:\n  signingKey: { env: CUTTER_SIGNING_KEY }\n  publicKeys: [release.pub]\n',
  );
  await gitOk(clone, ['add', '.']);
  await gitOk(clone, ['commit', '-q', '-m', 'feat: first']);
  await gitOk(clone, ['push', '-q', 'origin', 'main']);
  const deadline = Date.now() + 150_000;
  for (;;) {
    await h.sandbox.webhookDispatcher?.whenIdle();
    // The release's own tag push starts a task too (skipped at classify): take the one for the branch push.
    const task = (await server.store.listTasks({ kind: 'release' })).tasks.find(
      (t) => t.key === `acme/${name}` && (t.data as { push?: { ref?: string } }).push?.ref === 'refs/heads/main',
    );
    if (task && ['done', 'failed'].includes(task.status)) return task;
    if (Date.now() > deadline) throw new Error(`release of ${name} unfinished: ${task?.status} at ${task?.step}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CUTTER_CHROMIUM)`);
  }
  h = await startSandbox();
  dir = await mkdtemp(join(tmpdir(), 'cutter-verify-page-'));
  server = await startServe({
    db: join(dir, 'cutter.db'),
    port: 0,
    env: {
      CUTTER_WEBHOOK_SECRET: SECRET,
      CUTTER_API_TOKEN: API,
      CUTTER_ORG: 'acme',
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: h.url,
      CUTTER_SIGNING_KEY: SIGNING,
    },
    logger: silentLogger,
    pollMs: 20,
  });
  await h.octokit.rest.orgs.createWebhook({
    org: 'acme',
    name: 'web',
    events: ['push'],
    config: { url: `${server.url}/webhooks/github`, content_type: 'json', secret: SECRET },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the release page's verify checklist in real Chromium", { timeout: 300_000 }, () => {
  it('shows ✔ per item for a verified release and ✖ with the reason for one signed by an untrusted key', async () => {
    const [good, bad] = await Promise.all([
      release('connector-verified', signingKeyFromPem(SIGNING).publicKeyPem),
      release('connector-untrusted', signingKeyFromPem(pem()).publicKeyPem),
    ]);
    expect([good.status, bad.status, bad.step]).toEqual(['done', 'failed', 'verify']);

    await page.goto(`${server.url}/login`);
    await page.fill('#token', API);
    await page.click('button[type=submit]');
    await page.waitForURL(`${server.url}/`);

    await page.goto(`${server.url}/#task/${good.id}`);
    await page.waitForSelector('#verify:not([hidden]) li[data-check="provenance"]');
    expect(await page.textContent('#verify h3')).toContain('Verify v1.0.0 verified');
    const lines = await page
      .locator('#verify li')
      .evaluateAll((lis) =>
        lis.map((li) => [li.getAttribute('data-check'), li.className, li.textContent?.slice(0, 1)]),
      );
    expect(lines.map((l) => l[0]).sort()).toEqual(
      ['checksums', 'checksums-signature', 'provenance', 'release', 'sbom', 'tag'].sort(),
    );
    expect(lines.every((l) => l[1] === 'ok' && l[2] === '✔')).toBe(true);

    await page.goto(`${server.url}/#task/${bad.id}`);
    await page.waitForSelector('#verify:not([hidden]) li.bad[data-check="provenance"]');
    expect(await page.textContent('#verify h3')).toContain('NOT verified');
    expect(await page.textContent('#verify li[data-check="provenance"]')).toMatch(/^✖provenance .*not a trusted key/);
    expect(await page.textContent('#task-head .error-box')).toContain('is NOT verified');

    // A task that is not a release (or never verified) shows no checklist.
    await page.goto(`${server.url}/#runs`);
    const none = await fetch(`${server.url}/api/releases/acme/connector-verified/verify?tag=v9.9.9`, {
      headers: { authorization: `Bearer ${API}` },
    });
    expect(await none.json()).toEqual({ result: null });
  });
});
