// The `notify:` section of .cutter.yml: named channels, secrets by environment-variable name; builds the notifiers.

import type { Octokit } from '@octokit/rest';
import * as z from 'zod';
import { CutterError } from '../core/errors.js';
import { createCommitStatusNotifier } from './commit-status.js';
import { createJsonWebhookNotifier } from './json-webhook.js';
import { checkTemplate } from './message-text.js';
import type { Notifier } from './notifier.js';
import { createSlackWebApiNotifier, type ThreadStore } from './slack-web-api.js';
import { createSlackWebhookNotifier } from './slack-webhook.js';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'an environment variable name such as SLACK_WEBHOOK_URL');
const textTemplate = z.string().min(1).max(4000).optional();

const channelSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('slack-webhook'),
      urlEnv: envName,
      textTemplate,
      username: z.string().optional(),
      iconEmoji: z.string().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('slack-web-api'),
      tokenEnv: envName,
      channel: z.string().min(1),
      textTemplate,
      broadcastFailures: z.boolean().optional(),
      slackApiUrl: z
        .string()
        .regex(/^https?:\/\/\S+\/$/, 'an http(s) URL ending with /')
        .optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('json-webhook'),
      /** Either a URL (no secrets in it) or the variable holding one. */
      url: z
        .string()
        .regex(/^https?:\/\/\S+$/, 'an http(s) URL')
        .optional(),
      urlEnv: envName.optional(),
      secretEnv: envName.optional(),
      signatureHeader: z.string().min(1).optional(),
      /** Header name → environment variable holding its value. */
      headersEnv: z.record(z.string().min(1), envName).optional(),
    })
    .strict()
    .refine((c) => Boolean(c.url) !== Boolean(c.urlEnv), 'set exactly one of url and urlEnv'),
  z.object({ type: z.literal('commit-status'), context: z.string().min(1).optional() }).strict(),
]);

/** `notify: { <channel name>: { type, … } }` */
export const notifySectionSchema = z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a channel name'), channelSchema);
export type NotifySection = z.output<typeof notifySectionSchema>;
export type ChannelConfig = z.output<typeof channelSchema>;

export function parseNotifySection(raw: unknown, file = '.cutter.yml'): NotifySection {
  const result = notifySectionSchema.safeParse(raw ?? {});
  const problems = result.success
    ? []
    : result.error.issues.map((i) => `notify.${i.path.map(String).join('.')}: ${i.message}`);
  if (result.success) {
    for (const [name, channel] of Object.entries(result.data)) {
      const bad = 'textTemplate' in channel && channel.textTemplate ? checkTemplate(channel.textTemplate) : null;
      if (bad) problems.push(`notify.${name}.textTemplate: ${bad}`);
    }
  }
  if (problems.length > 0 || !result.success) {
    throw new CutterError('CUTTER_CONFIG_INVALID', `${file}: ${problems.join('; ')}`, {
      hint: 'see the notify section of the configuration reference',
      details: { file, problems },
    });
  }
  return result.data;
}

export interface NotifierDeps {
  env?: Record<string, string | undefined>;
  /** Needed by commit-status channels. */
  octokit?: Pick<Octokit, 'rest'>;
  /** Keeps Slack thread parents (persist it to keep threads across restarts). */
  threads?: ThreadStore;
}

/** Build every configured channel; a missing environment variable is a config error naming the variable only. */
export function createNotifiers(section: NotifySection, deps: NotifierDeps = {}): Notifier[] {
  const env = deps.env ?? process.env;
  const need = (name: string, channel: string): string => {
    const value = env[name];
    if (!value) {
      throw new CutterError('CUTTER_CONFIG_INVALID', `notify.${channel}: environment variable ${name} is not set`, {
        hint: `export ${name} before starting Cutter`,
      });
    }
    return value;
  };
  return Object.entries(section).map(([name, c]): Notifier => {
    switch (c.type) {
      case 'slack-webhook':
        return named(
          name,
          createSlackWebhookNotifier({
            url: need(c.urlEnv, name),
            ...optional({ textTemplate: c.textTemplate, username: c.username, iconEmoji: c.iconEmoji }),
          }),
        );
      case 'slack-web-api':
        return named(
          name,
          createSlackWebApiNotifier({
            token: need(c.tokenEnv, name),
            channel: c.channel,
            ...optional({
              textTemplate: c.textTemplate,
              broadcastFailures: c.broadcastFailures,
              slackApiUrl: c.slackApiUrl,
              threads: deps.threads,
            }),
          }),
        );
      case 'json-webhook': {
        const headers = Object.fromEntries(Object.entries(c.headersEnv ?? {}).map(([h, v]) => [h, need(v, name)]));
        return createJsonWebhookNotifier({
          url: c.url ?? need(c.urlEnv ?? '', name),
          channel: name,
          headers,
          ...optional({
            secret: c.secretEnv ? need(c.secretEnv, name) : undefined,
            signatureHeader: c.signatureHeader,
          }),
        });
      }
      case 'commit-status':
        if (!deps.octokit)
          throw new CutterError('CUTTER_CONFIG_INVALID', `notify.${name}: commit-status needs a GitHub client`);
        return named(name, createCommitStatusNotifier({ octokit: deps.octokit, ...optional({ context: c.context }) }));
      default:
        throw new CutterError('CUTTER_CONFIG_INVALID', `notify.${name}: unknown channel type`);
    }
  });
}

/** Results carry the configured channel name, so two Slack channels are told apart. */
function named(name: string, notifier: Notifier): Notifier {
  return {
    channel: name,
    send: async (message, opts) => ({ ...(await notifier.send(message, opts)), channel: name }),
  };
}

/** Drop undefined values (exactOptionalPropertyTypes-friendly spreading). */
function optional<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
