import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startSandbox } from '../../test/sandbox-harness.js';
import { CutterError } from '../core/errors.js';
import { createCommitStatusNotifier } from './commit-status.js';
import type { ReleaseMessage } from './notifier.js';

const owner = 'acme';
let h: Harness;
let sha = '';

beforeAll(async () => {
  h = await startSandbox();
  await h.octokit.rest.repos.createInOrg({ org: owner, name: 'connector-x', auto_init: true });
  sha = (await h.octokit.rest.git.getRef({ owner, repo: 'connector-x', ref: 'heads/main' })).data.object.sha;
});
afterAll(async () => {
  expect(h.sandbox.violations).toEqual([]);
  await h.close();
});

const released = (): ReleaseMessage => ({
  kind: 'released',
  repo: 'acme/connector-x',
  version: '1.4.2',
  tag: 'v1.4.2',
  sha,
  url: 'https://github.com/acme/connector-x/releases/tag/v1.4.2',
});

describe('GitHub commit status', () => {
  it('marks the released commit with a success status linking to the release, then the roll-out', async () => {
    const notifier = createCommitStatusNotifier({ octokit: h.octokit });
    const result = await notifier.send(released());
    expect(result).toMatchObject({ channel: 'github-commit-status', ok: true, attempts: 1, id: expect.any(String) });
    await notifier.send({
      ...released(),
      kind: 'rollout-failed',
      connectorId: 'connector-x',
      image: 'ghcr.io/acme/connector-x:1.4.2',
      status: 'infra answered 500',
      url: undefined,
    });
    const { data } = await h.octokit.rest.repos.listCommitStatusesForRef({ owner, repo: 'connector-x', ref: sha });
    const byContext = Object.fromEntries(data.map((s) => [s.context, s]));
    expect(byContext['cutter/release']).toMatchObject({
      state: 'success',
      target_url: 'https://github.com/acme/connector-x/releases/tag/v1.4.2',
      description: 'acme/connector-x v1.4.2 released: https://github.com/acme/connector-x/releases/tag/v1.4.2',
    });
    expect(byContext['cutter/rollout']).toMatchObject({
      state: 'failure',
      description: 'connector-x: roll-out of ghcr.io/acme/connector-x:1.4.2 failed: infra answered 500',
    });
  });

  it("keeps the description within GitHub's 140 characters", async () => {
    await createCommitStatusNotifier({ octokit: h.octokit, context: 'long' }).send({
      ...released(),
      kind: 'release-failed',
      status: 'x'.repeat(500),
    });
    const { data } = await h.octokit.rest.repos.listCommitStatusesForRef({ owner, repo: 'connector-x', ref: sha });
    const status = data.find((s) => s.context === 'long/release');
    expect(status?.description?.length).toBe(140);
  });

  it('skips messages without a commit', async () => {
    const notifier = createCommitStatusNotifier({ octokit: h.octokit });
    expect(await notifier.send({ kind: 'fleet-summary', repo: 'acme', summary: { rows: [] } })).toMatchObject({
      ok: true,
      skipped: 'fleet-summary has no commit',
    });
    expect(await notifier.send({ ...released(), sha: undefined })).toMatchObject({
      ok: true,
      skipped: 'no commit sha in the message',
    });
  });

  it('fails permanently for an unknown repository and rejects a malformed repo name', async () => {
    const notifier = createCommitStatusNotifier({ octokit: h.octokit });
    const err = await notifier.send({ ...released(), repo: 'acme/ghost' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CutterError);
    expect((err as CutterError).message).toMatch(/^github-commit-status: GitHub answered 404 to createCommitStatus/);
    expect((err as CutterError).transient).toBe(false);
    await expect(notifier.send({ ...released(), repo: 'just-a-name' })).rejects.toThrow(/repo must be owner\/name/);
  });
});
