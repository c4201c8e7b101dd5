// End to end over real servers: a release on the sandbox, its image rolled out on the infra emulator, the team told.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startSandbox } from '../../test/sandbox-harness.js';
import { connectorIdFor, createRolloutDriver, imageForRelease, parseDeploySection } from '../deploy/deploy-config.js';
import { type InfraEmulator, startInfraEmulator } from '../sandbox/infra-emulator.js';
import { notifyAll } from './fan-out.js';
import { createNotifiers, parseNotifySection } from './notify-config.js';
import { type RecordingReceiver, startRecordingReceiver } from './recording-receiver.js';
import { blockKitViolations, type SlackPayload } from './slack-blocks.js';

const INFRA_TOKEN = 'e2e-infra-token-abcdef';
const SLACK_TOKEN = 'xoxb-e2e-slack-token-123';
let h: Harness;
let emu: InfraEmulator;
let slack: RecordingReceiver;

beforeAll(async () => {
  [h, emu, slack] = await Promise.all([
    startSandbox(),
    startInfraEmulator({ token: INFRA_TOKEN, healthyAfterMs: 100 }),
    startRecordingReceiver(),
  ]);
});
afterAll(async () => {
  await Promise.all([h.close(), emu.close(), slack.close()]);
});

describe('release → image roll-out → notifications', () => {
  it('updates the connector exactly once, confirms it healthy, and threads the Slack messages', async () => {
    const owner = 'acme';
    const repo = 'connector-x';
    await h.octokit.rest.repos.createInOrg({ org: owner, name: repo, auto_init: true });
    const sha = (await h.octokit.rest.git.getRef({ owner, repo, ref: 'heads/main' })).data.object.sha;
    const { data: release } = await h.octokit.rest.repos.createRelease({
      owner,
      repo,
      tag_name: 'v1.4.2',
      target_commitish: sha,
      name: 'v1.4.2',
    });

    const env = { INFRA_TOKEN, SLACK_BOT_TOKEN: SLACK_TOKEN };
    const deploy = parseDeploySection({
      image: 'ghcr.io/acme/{repo}:{version}',
      driver: {
        type: 'infra-api',
        baseUrl: emu.url,
        auth: { env: 'INFRA_TOKEN' },
        statusUrl: '{base}/connectors/{connectorId}/status',
        health: { intervalMs: 25 },
      },
    });
    const notifiers = createNotifiers(
      parseNotifySection({
        releases: {
          type: 'slack-web-api',
          tokenEnv: 'SLACK_BOT_TOKEN',
          channel: 'C0REL',
          slackApiUrl: `${slack.url}/api/`,
        },
        github: { type: 'commit-status' },
      }),
      { env, octokit: h.octokit },
    );
    if (!deploy) throw new Error('deploy section expected');
    const threadKey = `${owner}/${repo}@1.4.2`;
    const base = {
      repo: `${owner}/${repo}`,
      version: '1.4.2',
      tag: 'v1.4.2',
      sha,
      threadKey,
      trigger: 'push by @octocat',
    };

    const announced = await notifyAll(notifiers, { ...base, kind: 'released', url: release.html_url });
    expect(announced.every((r) => r.ok)).toBe(true);

    // the build event: { build: { type: 'connector', connectorId, image } }
    const build = {
      type: 'connector',
      connectorId: connectorIdFor(deploy, repo),
      image: imageForRelease(deploy.image, { owner, repo, version: '1.4.2' }),
    };
    const driver = createRolloutDriver(deploy.driver, { env });
    const result = await driver.rollout({ connectorId: build.connectorId, image: build.image, version: '1.4.2' });
    const again = await driver.rollout({ connectorId: build.connectorId, image: build.image, version: '1.4.2' });
    expect(result).toMatchObject({ outcome: 'updated', status: 200, healthy: true });
    expect(again.outcome).toBe('unchanged');
    expect(emu.updates(build.connectorId).map((u) => u.image)).toEqual(['ghcr.io/acme/connector-x:1.4.2']);

    const confirmed = await notifyAll(notifiers, {
      ...base,
      kind: 'rolled-out',
      connectorId: build.connectorId,
      image: build.image,
      status: `${result.status} healthy`,
    });
    expect(confirmed.every((r) => r.ok)).toBe(true);

    const posts = slack.received.filter((r) => r.path === '/api/chat.postMessage');
    expect(posts).toHaveLength(2);
    for (const p of posts) expect(blockKitViolations(p.body as unknown as SlackPayload)).toEqual([]);
    expect(posts[1]?.body?.['thread_ts']).toBe(announced[0]?.id);
    expect(posts[1]?.body?.['text']).toBe('connector-x: image ghcr.io/acme/connector-x:1.4.2 rolled out (200 healthy)');

    const { data: statuses } = await h.octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref: sha });
    expect(statuses.statuses.map((s) => [s.context, s.state]).sort()).toEqual([
      ['cutter/release', 'success'],
      ['cutter/rollout', 'success'],
    ]);
    expect(h.sandbox.violations).toEqual([]);
  });
});
