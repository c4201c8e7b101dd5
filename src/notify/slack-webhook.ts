// Slack incoming-webhook channel: Block Kit messages through @slack/webhook; the URL is a credential and is never shown.

import { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError } from '@slack/webhook';
import { registerSecret } from '../core/redact.js';
import type { Notifier, NotifyResult, ReleaseMessage } from './notifier.js';
import { excerpt, notifyFailure } from './notify-failure.js';
import { buildSlackMessage, type SlackMessageOptions } from './slack-blocks.js';

export interface SlackWebhookConfig extends SlackMessageOptions {
  /** `https://hooks.slack.com/services/…` (read it from the environment; it grants posting to the channel). */
  url: string;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  username?: string;
  iconEmoji?: string;
}

export function createSlackWebhookNotifier(config: SlackWebhookConfig): Notifier {
  registerSecret(config.url);
  const webhook = new IncomingWebhook(config.url, {
    timeout: config.timeoutMs ?? 10_000,
    ...(config.username ? { username: config.username } : {}),
    ...(config.iconEmoji ? { icon_emoji: config.iconEmoji } : {}),
  });
  const channel = 'slack-webhook';
  return {
    channel,
    async send(message: ReleaseMessage): Promise<NotifyResult> {
      const payload = buildSlackMessage(message, config);
      try {
        await webhook.send({ text: payload.text, blocks: payload.blocks as never });
        return { channel, ok: true, attempts: 1 };
      } catch (err) {
        const original = (err as { originalError?: unknown }).originalError ?? err;
        if (original instanceof IncomingWebhookHTTPError) {
          throw notifyFailure(
            channel,
            `Slack answered ${original.statusCode}${original.body ? `: ${excerpt(original.body)}` : ''}`,
            original.statusCode,
            original.statusCode === 403 || original.statusCode === 404 || original.statusCode === 410
              ? 'the incoming webhook was revoked or its channel archived; create a new one'
              : undefined,
            original,
          );
        }
        const reason = original instanceof IncomingWebhookRequestError ? original.original.message : String(original);
        throw notifyFailure(channel, `could not reach Slack: ${reason}`, undefined, undefined, original);
      }
    },
  };
}
