/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type DashboardRig, login, startDashboardRig } from './dashboard-support.js';
import { gitOk } from './sandbox-harness.js';

const CHROMIUM = process.env['CUTTER_CHROMIUM'] ?? '/usr/bin/chromium';
// The README's screenshots are retaken only when asked (CUTTER_UPDATE_SCREENSHOTS=1): a test run leaves the
// tracked docs/ untouched (every run's pixels differ a little), and shots go to a scratch directory.
const DOCS = process.env['CUTTER_UPDATE_SCREENSHOTS']
  ? join(import.meta.dirname, '..', 'docs')
  : join(tmpdir(), `cutter-dashboard-shots-${process.pid}`);

let rig: DashboardRig;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CUTTER_CHROMIUM)`);
  }
  await mkdir(DOCS, { recursive: true });
  // Four connectors cover every row state (first release, patch, up to date, and one failing by fault injection)
  // and keep a real release of the fleet within minutes on a loaded two-core machine; acme has 24.
  rig = await startDashboardRig({ pattern: 'connector-{hubspot,salesforce,slack,stripe}' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
});
afterAll(async () => {
  await browser?.close();
  await rig?.close();
  if (!process.env['CUTTER_UPDATE_SCREENSHOTS']) await rm(DOCS, { recursive: true, force: true });
});

const shot = (name: string) => page.screenshot({ path: join(DOCS, `dashboard-${name}.png`), fullPage: true });
const row = (repo: string) => page.locator(`#fleet-table tbody tr[data-repo="${repo}"]`);

describe('the dashboard in real Chromium', () => {
  it('asks for a login first, then shows the sandbox fleet', async () => {
    await page.goto(`${rig.base}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#token', 'wrong-token');
    await page.click('button[type=submit]');
    await page.waitForSelector('#login-error:not([hidden])');
    await shot('login');
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('button[type=submit]');
    await page.waitForURL(`${rig.base}/`);
    await row('connector-stripe').waitFor();
    const repos = await page
      .locator('#fleet-table tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-repo')));
    expect(repos).toContain('connector-salesforce');
    expect(repos).toHaveLength(4);
    expect(await page.textContent('#role')).toBe('admin');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'cutter_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    // The session cookie is invisible to the page's scripts.
    expect(await page.evaluate(() => document.cookie)).not.toContain('cutter_session');
  });

  it('previews the fleet release as a dry run: next versions and the commits that cause them, nothing written', {
    timeout: 180_000,
  }, async () => {
    await page.click('#preview');
    await page.waitForSelector('#preview-summary:has-text("Dry run:")');
    await page.waitForSelector('#preview-list li[data-repo="connector-stripe"]', { timeout: 150_000 });
    expect(await page.textContent('#preview-list li[data-repo="connector-stripe"]')).toContain(
      'v3.2.1 → v3.2.2 (patch)',
    );
    expect(await page.textContent('#preview-list li[data-repo="connector-hubspot"]')).toContain(
      'no commits since v1.2.0',
    );
    expect(await page.isVisible('#confirm-release')).toBe(false);
    await row('connector-salesforce').locator('details summary').click();
    expect(await row('connector-salesforce').locator('.causes').textContent()).toMatch(/feat/);
    await shot('preview');
    const { data: tags } = await rig.h.octokit.rest.repos.listTags({ owner: 'acme', repo: 'connector-stripe' });
    expect(tags.map((t) => t.name)).not.toContain('v3.2.2');
  });

  it('releases the fleet after its preview and turns the rows green live, one failing by fault injection', {
    timeout: 240_000,
  }, async () => {
    rig.h.sandbox.setFaults([{ route: '/repos/acme/connector-slack/releases', rate: 1, kind: 'error', status: 422 }]);
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    await page.click('#release');
    await page.waitForSelector('#confirm-release:not([hidden])');
    await page.click('#confirm-release');
    for (const [repo, status] of [
      ['connector-stripe', 'done'],
      ['connector-salesforce', 'done'],
      ['connector-slack', 'failed'],
    ]) {
      await page.waitForSelector(`tr[data-repo="${repo}"][data-status="${status}"]`, { timeout: 200_000 });
    }
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await row('connector-stripe').evaluate((r) => getComputedStyle(r).backgroundColor)).toBe(
      'rgb(234, 246, 238)',
    );
    expect(await row('connector-stripe').locator('td').nth(1).textContent()).toBe('v3.2.2');
    await shot('fleet');
    const { data: tags } = await rig.h.octokit.rest.repos.listTags({ owner: 'acme', repo: 'connector-stripe' });
    expect(tags.map((t) => t.name)).toContain('v3.2.2');
  });

  it("opens the failed task's step log with the error and its hint, then retries it from the failed step", async () => {
    await row('connector-slack').locator('td[data-label="Last run"] a').first().click();
    await page.waitForSelector('#step-log tbody tr[data-step="create-release"]');
    const head = await page.textContent('#task-head');
    expect(head).toContain('failed');
    expect(head).toContain('create-release');
    const steps = await page
      .locator('#step-log tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-step')));
    expect(steps.slice(0, 3)).toEqual(['load-config', 'latest-tag', 'next-version']);
    expect(
      await page.locator('#step-log tbody tr[data-step="next-version"] td[data-label="Duration"]').textContent(),
    ).toMatch(/\d+(\.\d)? m?s/);
    await shot('task-failed');
    rig.h.sandbox.setFaults([]);
    await page.click('#retry');
    await page.waitForFunction(() => document.querySelector('#task-head .badge')?.textContent === 'done', undefined, {
      timeout: 60_000,
    });
    const retried = await page
      .locator('#step-log tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-step')));
    expect(retried.filter((s) => s === 'create-release').length).toBe(2);
    expect(retried).not.toContain(undefined);
    expect(retried.filter((s) => s === 'tag')).toHaveLength(1);
    await shot('task');
    const { data: releases } = await rig.h.octokit.rest.repos.listReleases({ owner: 'acme', repo: 'connector-slack' });
    expect(releases.map((r) => r.tag_name)).toEqual(['v1.4.3']);
  });

  it('lists the runs: the preview, the fleet release and its tasks', async () => {
    await page.click('nav a[data-view="runs"]');
    await page.waitForSelector('#runs-list details.run');
    const text = await page.textContent('#runs-list');
    expect(text).toContain('fleet');
    expect(text).toContain('preview');
    expect(text).toContain('acme/connector-stripe');
  });

  it('toggles a freeze and sees a release wait with the reason, then go through once the freeze is lifted', async () => {
    // Something new to release on hubspot: a fix pushed over git smart HTTP.
    const work = await rig.h.tmp();
    await gitOk(work, ['clone', '--quiet', rig.h.remote('acme', 'connector-hubspot'), 'clone']);
    const clone = join(work, 'clone');
    await gitOk(clone, ['commit', '-q', '--allow-empty', '-m', 'fix: retry on 502 from the CRM']);
    await gitOk(clone, ['push', '-q', 'origin', 'HEAD:refs/heads/main']);

    await page.click('nav a[data-view="fleet"]');
    await row('connector-hubspot').waitFor();
    await page.fill('#freeze-reason', 'quarter close');
    await page.check('#freeze-toggle');
    await page.waitForFunction(() => document.querySelector('#freeze-state')?.textContent === 'frozen: quarter close');
    await page.waitForSelector('tr[data-repo="connector-hubspot"] .badge.frozen');
    await row('connector-hubspot').locator('button').click();
    await page.waitForSelector('tr[data-repo="connector-hubspot"][data-status="waiting"]', { timeout: 120_000 });
    expect(await row('connector-hubspot').locator('.wait-reason').textContent()).toContain('frozen: quarter close');
    const tags = async () =>
      (await rig.h.octokit.rest.repos.listTags({ owner: 'acme', repo: 'connector-hubspot' })).data.map((t) => t.name);
    const before = await tags();
    await shot('frozen');

    await page.uncheck('#freeze-toggle');
    await page.waitForFunction(() => document.querySelector('#freeze-state')?.textContent === 'releases open');
    await page.waitForSelector('tr[data-repo="connector-hubspot"][data-status="done"]', { timeout: 120_000 });
    const after = await tags();
    expect(after.length).toBe(before.length + 1);
  });

  it('draws the metrics charts from the API figures', async () => {
    await page.click('nav a[data-view="metrics"]');
    await page.waitForFunction(() => document.querySelector('#metric-releases')?.textContent !== undefined);
    const admin = await login(rig.base, ADMIN_TOKEN);
    const api = (await (
      await fetch(`${rig.base}/api/metrics?weeks=12`, { headers: { cookie: admin.cookie } })
    ).json()) as {
      fleet: { releases: number; failures: number };
    };
    expect(api.fleet.releases).toBeGreaterThanOrEqual(3);
    expect(api.fleet.failures).toBe(1);
    expect(await page.textContent('#metric-releases')).toBe(String(api.fleet.releases));
    for (const id of ['chart-weekly', 'chart-lead', 'chart-cfr', 'chart-restore']) {
      const inked = await page.evaluate((canvasId) => {
        const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
        const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) n++;
        return n;
      }, id);
      expect(inked, id).toBeGreaterThan(500);
    }
    await shot('metrics');
  });

  it('stays readable on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('nav a[data-view="fleet"]');
    await row('connector-stripe').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('phone');
  });
});
