// The plain-text line of a notification: a built-in sentence per kind, or a team's Eta template.

import { Eta } from 'eta';
import { CutterError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import type { ReleaseMessage } from './notifier.js';

/** Slack's three control characters in mrkdwn; everything else is shown as typed. */
export function escapeSlack(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

// Templates come from the org's own config on its default branch; values are escaped for Slack, not HTML.
const eta = new Eta({ autoEscape: true, escapeFunction: escapeSlack, autoTrim: false, useWith: false });

/** The default sentence, e.g. `acme/connector-x v1.4.2 released: https://…`. */
export function defaultText(m: ReleaseMessage): string {
  const name = m.tag ?? m.version ?? '';
  switch (m.kind) {
    case 'released':
      return `${m.repo} ${name} released${m.url ? `: ${m.url}` : ''}`.replace(/\s+/g, ' ');
    case 'rolled-out':
      return `${m.connectorId ?? m.repo}: image ${m.image ?? name} rolled out${m.status ? ` (${m.status})` : ''}`;
    case 'rollout-failed':
      return `${m.connectorId ?? m.repo}: roll-out of ${m.image ?? name} failed${m.status ? `: ${m.status}` : ''}`;
    case 'release-failed':
      return `${m.repo}: release ${name} failed${m.status ? `: ${m.status}` : ''}`.replace(/\s+/g, ' ');
    case 'fleet-summary': {
      const rows = m.summary?.rows ?? [];
      const released = rows.filter((r) => r.status === 'released').length;
      const failed = rows.filter((r) => r.status === 'failed').length;
      return `${m.repo}: ${released} released, ${failed} failed, ${rows.length - released - failed} unchanged`;
    }
  }
}

/**
 * Render the text with an Eta template (`<%= it.repo %> <%= it.tag %> is out`) or the default sentence.
 * A template that throws is a config error, reported with the template's own message (redacted).
 */
export function renderText(message: ReleaseMessage, template?: string): string {
  if (!template) return defaultText(message);
  try {
    return eta.renderString(template, message).trim();
  } catch (err) {
    throw new CutterError(
      'CUTTER_CONFIG_INVALID',
      `notification template failed: ${redact(err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err))}`,
      {
        hint: 'templates use Eta syntax; the message is `it` (it.repo, it.version, it.tag, it.url, it.image, it.status, it.trigger)',
      },
    );
  }
}

/** A template's syntax error as one line, or null when it compiles (config validation runs this at load time). */
export function checkTemplate(template: string): string | null {
  try {
    eta.compile(template);
    return null;
  } catch (err) {
    return redact(err instanceof Error ? (err.message.split('\n')[0] ?? 'invalid template') : String(err));
  }
}
