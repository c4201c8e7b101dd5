import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCutterError } from '../core/errors.js';
import { notifyAll } from './fan-out.js';
import { createNotifiers, parseNotifySection } from './notify-config.js';
import { type RecordingReceiver, startRecordingReceiver } from './recording-receiver.js';

let receiver: RecordingReceiver;
beforeEach(async () => {
  receiver = await startRecordingReceiver();
});
afterEach(async () => {
  await receiver.close();
});

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isCutterError(err, 'CUTTER_CONFIG_INVALID')) return err.message;
    throw err;
  }
  throw new Error('expected CUTTER_CONFIG_INVALID');
}

describe('notify section', () => {
  it('builds named channels from the section, reading secrets from the environment', async () => {
    const section = parseNotifySection({
      releases: {
        type: 'slack-web-api',
        tokenEnv: 'SLACK_BOT_TOKEN',
        channel: 'C0REL',
        slackApiUrl: `${receiver.url}/api/`,
        textTemplate: ':tada: <%= it.repo %> <%= it.tag %>',
      },
      ops: { type: 'slack-webhook', urlEnv: 'OPS_WEBHOOK' },
      audit: { type: 'json-webhook', url: `${receiver.url}/audit`, secretEnv: 'AUDIT_SECRET' },
    });
    const notifiers = createNotifiers(section, {
      env: {
        SLACK_BOT_TOKEN: 'xoxb-config-test-token',
        OPS_WEBHOOK: `${receiver.url}/services/T/B/opsSecretPart`,
        AUDIT_SECRET: 'audit-secret-value',
      },
    });
    expect(notifiers.map((n) => n.channel)).toEqual(['releases', 'ops', 'audit']);
    const results = await notifyAll(notifiers, {
      kind: 'released',
      repo: 'acme/connector-x',
      version: '1.4.2',
      tag: 'v1.4.2',
    });
    expect(results.map((r) => [r.channel, r.ok])).toEqual([
      ['releases', true],
      ['ops', true],
      ['audit', true],
    ]);
    const slack = receiver.received.find((r) => r.path === '/api/chat.postMessage');
    expect(slack?.body?.['text']).toBe(':tada: acme/connector-x v1.4.2');
    expect(receiver.received.find((r) => r.path === '/audit')?.headers['x-cutter-signature-256']).toMatch(
      /^sha256=[0-9a-f]{64}$/,
    );
  });

  it('names the missing variable, never a value', () => {
    const section = parseNotifySection({ ops: { type: 'slack-webhook', urlEnv: 'OPS_WEBHOOK' } });
    expect(configError(() => createNotifiers(section, { env: {} }))).toBe(
      'notify.ops: environment variable OPS_WEBHOOK is not set',
    );
  });

  it.each([
    [
      'a broken template',
      { a: { type: 'slack-webhook', urlEnv: 'X', textTemplate: '<%= it.repo' } },
      /notify\.a\.textTemplate/,
    ],
    [
      'a pasted webhook URL where a variable name belongs',
      { a: { type: 'slack-webhook', urlEnv: 'https://hooks.slack.com/services/T/B/C' } },
      /notify\.a\.urlEnv/,
    ],
    [
      'both url and urlEnv',
      { a: { type: 'json-webhook', url: 'https://x.example/h', urlEnv: 'H' } },
      /exactly one of url and urlEnv/,
    ],
    ['an unknown channel type', { a: { type: 'carrier-pigeon' } }, /notify\.a\.type/],
    ['a commit-status channel with extra keys', { a: { type: 'commit-status', token: 'abc' } }, /notify\.a/],
  ])('rejects %s', (_label, raw, pattern) => {
    const message = configError(() => parseNotifySection(raw));
    expect(message).toMatch(pattern);
    expect(message).not.toContain('hooks.slack.com/services/T/B/C');
  });

  it('needs a GitHub client for commit statuses', () => {
    const section = parseNotifySection({ github: { type: 'commit-status' } });
    expect(configError(() => createNotifiers(section))).toMatch(/needs a GitHub client/);
  });
});
