// Pure Slack Block Kit builders for release messages, kept inside Block Kit's limits (truncating with "…and N more").

import { escapeSlack, renderText } from './message-text.js';
import type { FleetRow, ReleaseMessage } from './notifier.js';

/** Slack's documented limits; a message over any of them is rejected with `invalid_blocks`. */
export const BLOCK_KIT_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  buttonText: 75,
  url: 3000,
  /** Slack truncates `text` beyond 40k; we stay far below so the fallback stays readable. */
  text: 3000,
} as const;

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}
export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text?: Mrkdwn; fields?: Mrkdwn[] }
  | { type: 'context'; elements: Mrkdwn[] }
  | { type: 'divider' }
  | { type: 'actions'; elements: Array<{ type: 'button'; text: PlainText; url: string; action_id: string }> };

export interface SlackPayload {
  /** The notification / fallback text (push notifications and screen readers show this). */
  text: string;
  blocks: SlackBlock[];
}

export interface SlackMessageOptions {
  /** Eta template for `text`; the default is a short sentence per kind. */
  textTemplate?: string;
}

/** Cut to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  let out = '';
  for (const ch of chars) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

const ICON: Record<ReleaseMessage['kind'], string> = {
  released: ':rocket:',
  'rolled-out': ':white_check_mark:',
  'rollout-failed': ':x:',
  'release-failed': ':x:',
  'fleet-summary': ':package:',
};

function link(url: string | undefined, label: string): string {
  const safe = escapeSlack(label);
  // A `|` or `>` inside the URL would end the link early; only http(s) links are rendered as links.
  return url && /^https?:\/\/[^\s|<>]+$/.test(url) && url.length <= BLOCK_KIT_LIMITS.url ? `<${url}|${safe}>` : safe;
}

function field(label: string, value: string): Mrkdwn {
  return { type: 'mrkdwn', text: truncate(`*${label}*\n${value}`, BLOCK_KIT_LIMITS.fieldText) };
}

function header(text: string): SlackBlock {
  return {
    type: 'header',
    text: { type: 'plain_text', text: truncate(text, BLOCK_KIT_LIMITS.headerText), emoji: true },
  };
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, BLOCK_KIT_LIMITS.sectionText) } };
}

function titleOf(m: ReleaseMessage): string {
  const name = m.tag ?? m.version ?? '';
  const who = m.connectorId ?? m.repo;
  switch (m.kind) {
    case 'released':
      return `${m.repo} ${name} released`;
    case 'rolled-out':
      return `${who} ${m.version ?? ''} rolled out`.replace(/\s+/g, ' ');
    case 'rollout-failed':
      return `${who} roll-out failed`;
    case 'release-failed':
      return `${m.repo} release failed`;
    case 'fleet-summary':
      return `Fleet release: ${m.repo}`;
  }
}

/** Build the whole Slack message for any kind. */
export function buildSlackMessage(message: ReleaseMessage, options: SlackMessageOptions = {}): SlackPayload {
  const text = truncate(renderText(message, options.textTemplate), BLOCK_KIT_LIMITS.text);
  const blocks: SlackBlock[] = [header(`${ICON[message.kind]} ${titleOf(message)}`)];
  if (message.kind === 'fleet-summary') {
    blocks.push(...fleetBlocks(message.summary?.rows ?? [], BLOCK_KIT_LIMITS.blocks - 2));
  } else {
    const fields: Mrkdwn[] = [field('Repository', link(message.repoUrl, message.repo))];
    if (message.version || message.tag)
      fields.push(field('Version', link(message.url, message.tag ?? message.version ?? '')));
    if (message.connectorId) fields.push(field('Connector', escapeSlack(message.connectorId)));
    if (message.image) fields.push(field('Image', `\`${escapeSlack(message.image)}\``));
    if (message.status) fields.push(field('Status', escapeSlack(message.status)));
    if (message.trigger) fields.push(field('Triggered by', escapeSlack(message.trigger)));
    if (message.sha) fields.push(field('Commit', `\`${escapeSlack(message.sha.slice(0, 12))}\``));
    blocks.push({ type: 'section', fields: fields.slice(0, BLOCK_KIT_LIMITS.fields) });
    if (message.url && /^https?:\/\//.test(message.url) && message.url.length <= BLOCK_KIT_LIMITS.url) {
      const label = message.kind === 'released' ? 'View release' : 'Open';
      blocks.push({
        type: 'actions',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: label }, url: message.url, action_id: 'cutter_open' },
        ],
      });
    }
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncate(escapeSlack(text), BLOCK_KIT_LIMITS.contextText) }],
  });
  return { text, blocks };
}

const ORDER = (status: string) => (status === 'failed' ? 0 : status === 'released' ? 1 : 2);

function rowLine(r: FleetRow): string {
  const version = r.version
    ? ` ${r.previousVersion ? `${escapeSlack(r.previousVersion)} → ` : ''}${escapeSlack(r.version)}`
    : '';
  const icon = r.status === 'failed' ? ':x:' : r.status === 'released' ? ':white_check_mark:' : ':white_circle:';
  const note = r.note ? ` — ${escapeSlack(truncate(r.note.replace(/\s+/g, ' '), 300))}` : '';
  return `${icon} ${link(r.url, r.repo)}${version} _${escapeSlack(r.status)}_${note}`;
}

/**
 * Counts first, then one line per repository (failed first), packed into sections of ≤3000 characters; when the
 * rows do not fit in `budget` blocks, the last block says how many were left out.
 */
export function fleetBlocks(rows: readonly FleetRow[], budget: number): SlackBlock[] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const tally = [...counts.entries()]
    .sort((a, b) => ORDER(a[0]) - ORDER(b[0]))
    .map(([s, n]) => `*${n}* ${escapeSlack(s)}`);
  const blocks: SlackBlock[] = [section(`${rows.length} repositories: ${tally.join(', ') || 'nothing to do'}`)];
  const sorted = [...rows].sort((a, b) => ORDER(a.status) - ORDER(b.status));
  const chunks: string[][] = [];
  let length = 0;
  for (const line of sorted.map(rowLine)) {
    const last = chunks.at(-1);
    if (last && length + 1 + line.length <= BLOCK_KIT_LIMITS.sectionText) {
      last.push(line);
      length += 1 + line.length;
    } else {
      chunks.push([line]);
      length = line.length;
    }
  }
  // When everything does not fit, one block is kept back for the "…and N more" line.
  const fits = blocks.length + chunks.length <= budget;
  const kept = fits ? chunks : chunks.slice(0, Math.max(0, budget - blocks.length - 1));
  for (const chunk of kept) blocks.push(section(chunk.join('\n')));
  const shown = kept.reduce((n, c) => n + c.length, 0);
  if (shown < rows.length)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${rows.length - shown} more` }] });
  return blocks;
}

/** Every Block Kit limit the payload breaks, as readable lines (empty when valid). Used by tests and before sending. */
export function blockKitViolations(payload: SlackPayload): string[] {
  const out: string[] = [];
  const L = BLOCK_KIT_LIMITS;
  if (payload.blocks.length > L.blocks) out.push(`${payload.blocks.length} blocks > ${L.blocks}`);
  if (!payload.text) out.push('empty text fallback');
  payload.blocks.forEach((b, i) => {
    if (b.type === 'header' && b.text.text.length > L.headerText)
      out.push(`block ${i}: header ${b.text.text.length} > ${L.headerText}`);
    if (b.type === 'section') {
      if (!b.text && !b.fields?.length) out.push(`block ${i}: section without text or fields`);
      if (b.text && (b.text.text.length > L.sectionText || b.text.text.length === 0))
        out.push(`block ${i}: section text ${b.text.text.length} chars`);
      if (b.fields && b.fields.length > L.fields) out.push(`block ${i}: ${b.fields.length} fields > ${L.fields}`);
      for (const f of b.fields ?? [])
        if (f.text.length > L.fieldText) out.push(`block ${i}: field ${f.text.length} > ${L.fieldText}`);
    }
    if (b.type === 'context') {
      if (b.elements.length > L.contextElements) out.push(`block ${i}: ${b.elements.length} context elements`);
      for (const e of b.elements)
        if (e.text.length > L.contextText) out.push(`block ${i}: context text ${e.text.length}`);
    }
    if (b.type === 'actions') {
      for (const e of b.elements) {
        if (e.text.text.length > L.buttonText)
          out.push(`block ${i}: button text ${e.text.text.length} > ${L.buttonText}`);
        if (e.url.length > L.url) out.push(`block ${i}: button url ${e.url.length} > ${L.url}`);
      }
    }
  });
  return out;
}
