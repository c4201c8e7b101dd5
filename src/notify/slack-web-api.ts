// Slack Web API channel: chat.postMessage with a bot token; follow-ups with the same threadKey become thread replies.

import { type ChatPostMessageArguments, ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { registerSecret } from '../core/redact.js';
import type { Notifier, NotifyResult, ReleaseMessage } from './notifier.js';
import { excerpt, notifyFailure } from './notify-failure.js';
import { buildSlackMessage, type SlackMessageOptions } from './slack-blocks.js';

/** Where the `ts` of each conversation's first message is kept; pass a persistent one so threads survive restarts. */
export interface ThreadStore {
  get(threadKey: string): string | undefined | Promise<string | undefined>;
  set(threadKey: string, ts: string): void | Promise<void>;
}

export function memoryThreadStore(): ThreadStore {
  const map = new Map<string, string>();
  return { get: (k) => map.get(k), set: (k, ts) => void map.set(k, ts) };
}

export interface SlackWebApiConfig extends SlackMessageOptions {
  /** A bot token (`xoxb-…`); read it from the environment. */
  token: string;
  /** Channel id or name, e.g. `C0123456789` or `#releases`. */
  channel: string;
  /** Default `https://slack.com/api/`; tests point it at a local receiver. */
  slackApiUrl?: string;
  threads?: ThreadStore;
  /** Also show failure replies in the channel, not only in the thread (default true). */
  broadcastFailures?: boolean;
  timeoutMs?: number;
}

/** Platform errors that no retry can fix: wrong token, wrong channel, bot not invited. */
const PERMANENT =
  /^(invalid_auth|not_authed|account_inactive|token_revoked|token_expired|no_permission|missing_scope|channel_not_found|not_in_channel|is_archived|invalid_blocks|invalid_arguments|msg_too_long|restricted_action)$/;

export function createSlackWebApiNotifier(config: SlackWebApiConfig): Notifier {
  registerSecret(config.token);
  const client = new WebClient(config.token, {
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
    // Retries belong to notifyAll, which records every attempt; the client must not retry silently underneath.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: config.timeoutMs ?? 10_000,
    logLevel: LogLevel.ERROR,
  });
  const threads = config.threads ?? memoryThreadStore();
  const channel = 'slack-web-api';

  return {
    channel,
    async send(message: ReleaseMessage): Promise<NotifyResult> {
      const payload = buildSlackMessage(message, config);
      const parent = message.threadKey ? await threads.get(message.threadKey) : undefined;
      const failure = message.kind === 'rollout-failed' || message.kind === 'release-failed';
      try {
        const base = { channel: config.channel, text: payload.text, blocks: payload.blocks as never };
        const args: ChatPostMessageArguments = parent
          ? { ...base, thread_ts: parent, reply_broadcast: failure && config.broadcastFailures !== false }
          : base;
        const res = await client.chat.postMessage(args);
        const ts = typeof res.ts === 'string' ? res.ts : undefined;
        if (message.threadKey && !parent && ts) await threads.set(message.threadKey, ts);
        return { channel, ok: true, attempts: 1, ...(ts ? { id: ts } : {}) };
      } catch (err) {
        const e = err as {
          code?: string;
          data?: { error?: string };
          statusCode?: number;
          body?: unknown;
          original?: Error;
          retryAfter?: number;
        };
        if (e.code === ErrorCode.PlatformError) {
          const code = e.data?.error ?? 'unknown_error';
          throw notifyFailure(
            channel,
            `Slack refused chat.postMessage: ${code}`,
            PERMANENT.test(code) ? 400 : undefined,
            hintFor(code),
            err,
          );
        }
        if (e.code === ErrorCode.HTTPError) {
          throw notifyFailure(
            channel,
            `Slack answered ${e.statusCode}${e.body ? `: ${excerpt(e.body)}` : ''}`,
            e.statusCode,
            undefined,
            err,
          );
        }
        if (e.code === ErrorCode.RateLimitedError) {
          throw notifyFailure(channel, `rate limited by Slack (retry after ${e.retryAfter}s)`, 429, undefined, err);
        }
        throw notifyFailure(
          channel,
          `could not reach Slack: ${e.original?.message ?? String(err)}`,
          undefined,
          undefined,
          err,
        );
      }
    },
  };
}

function hintFor(code: string): string | undefined {
  if (/auth|token|account/.test(code))
    return 'check the Slack bot token (SLACK_BOT_TOKEN) and that the app is installed';
  if (code === 'not_in_channel' || code === 'channel_not_found')
    return 'invite the Cutter bot to the channel (/invite @cutter)';
  if (code === 'missing_scope') return 'the bot token needs the chat:write scope';
  return undefined;
}
