import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startSandbox } from '../../test/sandbox-harness.js';
import { CutterError } from '../core/errors.js';
import { createGitOpsDriver } from './gitops.js';

const owner = 'acme';
const fixture = (name: string) => readFileSync(new URL(`../core/fixtures/image-tags/${name}`, import.meta.url), 'utf8');
const deployment = fixture('deployment.yaml');
const values = fixture('values.yaml');

let h: Harness;
let repoCount = 0;

/** A fresh manifests repository with the fixture files on main. */
async function manifestsRepo(): Promise<string> {
  const repo = `manifests-${++repoCount}`;
  await h.octokit.rest.repos.createInOrg({ org: owner, name: repo, auto_init: true });
  for (const [path, text] of [
    ['apps/connector-x/deployment.yaml', deployment],
    ['charts/connector-x/values.yaml', values],
  ] as const) {
    await h.octokit.rest.repos.createOrUpdateFileContents({
      owner,
      repo,
      path,
      message: `chore: add ${path}`,
      content: Buffer.from(text).toString('base64'),
    });
  }
  return repo;
}

async function read(repo: string, path: string, ref?: string): Promise<string> {
  const { data } = await h.octokit.rest.repos.getContent({ owner, repo, path, ...(ref ? { ref } : {}) });
  if (Array.isArray(data) || !('content' in data)) throw new Error('not a file');
  return Buffer.from(data.content, 'base64').toString('utf8');
}

/** Lines that differ between two versions of a file (same line count expected). */
function diff(before: string, after: string): Array<[string, string]> {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length).toBe(a.length);
  return a.flatMap((line, i) => (line === b[i] ? [] : ([[line, b[i] ?? '']] as Array<[string, string]>)));
}

const files = ['apps/{connectorId}/deployment.yaml', 'charts/{connectorId}/values.yaml'];
const req = {
  connectorId: 'connector-x',
  image: 'ghcr.io/acme/connector-x:1.4.2',
  version: '1.4.2',
  repo: 'acme/connector-x',
};

beforeAll(async () => {
  h = await startSandbox();
});
afterAll(async () => {
  expect(h.sandbox.violations).toEqual([]);
  await h.close();
});

describe('GitOps roll-out on the sandbox', () => {
  it('opens a pull request whose diff only touches the image values and keeps every comment', async () => {
    const repo = await manifestsRepo();
    const result = await createGitOpsDriver(h.octokit, { owner, repo, files }).rollout(req);
    expect(result).toMatchObject({
      outcome: 'pending',
      previousImage: 'ghcr.io/acme/connector-x:1.4.1',
      url: expect.stringContaining('/pull/1'),
    });
    const branch = 'cutter/rollout-connector-x-1.4.2';
    const changedDeployment = await read(repo, 'apps/connector-x/deployment.yaml', branch);
    expect(diff(deployment, changedDeployment).map(([, after]) => after.trim())).toEqual([
      'image: ghcr.io/acme/connector-x:1.4.2   # same image runs migrations',
      'image: "ghcr.io/acme/connector-x:1.4.2"',
      '- image: ghcr.io/acme/connector-x:1.4.2',
    ]);
    expect(diff(values, await read(repo, 'charts/connector-x/values.yaml', branch))).toEqual([
      ['  tag: "1.4.1"', '  tag: "1.4.2"'],
      ['    tag: 1.4.1 # plain on purpose', '    tag: 1.4.2 # plain on purpose'],
    ]);
    expect(await read(repo, 'apps/connector-x/deployment.yaml')).toBe(deployment); // main untouched until merged
    const { data: pr } = await h.octokit.rest.pulls.get({ owner, repo, pull_number: 1 });
    expect(pr).toMatchObject({
      state: 'open',
      head: { ref: branch },
      base: { ref: 'main' },
      title: 'Roll out connector-x 1.4.2',
    });
    expect(pr.body).toContain('`charts/connector-x/values.yaml` doc 0: image.tag: `"1.4.1"` → `1.4.2`');
  });

  it('merges when auto-merge is on, succeeds only once merged, and is a no-op the second time', async () => {
    const repo = await manifestsRepo();
    const driver = createGitOpsDriver(h.octokit, { owner, repo, files, autoMerge: true, mergeMethod: 'squash' });
    const first = await driver.rollout(req);
    expect(first).toMatchObject({ outcome: 'updated', status: 200 });
    expect(await read(repo, 'charts/connector-x/values.yaml')).toContain('tag: "1.4.2"');
    const second = await driver.rollout(req);
    expect(second.outcome).toBe('unchanged');
    const { data: pulls } = await h.octokit.rest.pulls.list({ owner, repo, state: 'all' });
    expect(pulls).toHaveLength(1);
  });

  it('adopts its own open pull request when run again instead of opening another', async () => {
    const repo = await manifestsRepo();
    const driver = createGitOpsDriver(h.octokit, { owner, repo, files });
    const first = await driver.rollout(req);
    const again = await driver.rollout(req);
    expect(again.url).toBe(first.url);
    expect(again.log).toContain('adopting open pull request #1');
    const { data: pulls } = await h.octokit.rest.pulls.list({ owner, repo, state: 'all' });
    expect(pulls).toHaveLength(1);
  });

  it('shows the planned edits in a dry run without creating a branch', async () => {
    const repo = await manifestsRepo();
    const result = await createGitOpsDriver(h.octokit, { owner, repo, files, autoMerge: true }).rollout(req, {
      dryRun: true,
    });
    expect(result.outcome).toBe('dry-run');
    expect(result.log.at(-1)).toBe(
      `would open a pull request cutter/rollout-connector-x-1.4.2 → main on acme/${repo} and merge it`,
    );
    const err = await h.octokit.rest.git
      .getRef({ owner, repo, ref: 'heads/cutter/rollout-connector-x-1.4.2' })
      .catch((e) => e);
    expect(err.status).toBe(404);
  });

  it('fails clearly when a configured file does not exist', async () => {
    const repo = await manifestsRepo();
    const err = await createGitOpsDriver(h.octokit, { owner, repo, files: ['apps/missing.yaml'] })
      .rollout(req)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CutterError);
    expect((err as CutterError).message).toMatch(
      /^reading acme\/manifests-\d+:apps\/missing.yaml@main: GitHub answered 404/,
    );
    expect((err as CutterError).transient).toBe(false);
  });

  it('refuses an untagged image and a hostile connector id', async () => {
    const driver = createGitOpsDriver(h.octokit, { owner, repo: 'whatever', files });
    await expect(driver.rollout({ connectorId: 'connector-x', image: 'ghcr.io/acme/connector-x' })).rejects.toThrow(
      /needs a tagged image/,
    );
    await expect(driver.rollout({ connectorId: '../x', image: req.image })).rejects.toThrow(/invalid connector id/);
  });
});
