// Test helpers for the webhook server: GitHub-shaped push payloads and signed deliveries sent over real HTTP.

import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';

export interface PushOptions {
  owner?: string;
  repo?: string;
  ref?: string;
  after?: string;
  before?: string;
  message?: string;
  sender?: string;
}

/** The fields of a GitHub push event the receiver reads, plus enough of the rest to look like one. */
export function pushEvent(o: PushOptions = {}): Record<string, unknown> {
  const owner = o.owner ?? 'acme';
  const repo = o.repo ?? 'connector-x';
  const after = o.after ?? randomUUID().replace(/-/g, '').padEnd(40, '0').slice(0, 40);
  const head = {
    id: after,
    message: o.message ?? 'feat: something new',
    author: { name: 'Dev', email: 'dev@acme.example', username: 'dev' },
    committer: { name: 'Dev', email: 'dev@acme.example' },
  };
  return {
    ref: o.ref ?? 'refs/heads/main',
    before: o.before ?? '0'.repeat(40),
    after,
    created: false,
    deleted: false,
    repository: { id: 1, name: repo, full_name: `${owner}/${repo}`, owner: { login: owner, name: owner } },
    pusher: { name: o.sender ?? 'dev', email: 'dev@acme.example' },
    sender: { login: o.sender ?? 'dev', type: 'User' },
    commits: [head],
    head_commit: head,
  };
}

export interface SendOptions {
  event?: string;
  delivery?: string;
  /** Sign with this secret; `null` sends no signature at all. */
  secret?: string | null;
  /** Send these bytes instead of the JSON of the payload (still signed, unless `signature` is given). */
  rawBody?: string;
  signature?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Sent {
  status: number;
  body: Record<string, unknown>;
}

/** POST one delivery to `${base}/webhooks/github` as GitHub would: signed bytes, event and delivery headers. */
export async function sendDelivery(base: string, payload: unknown, o: SendOptions = {}): Promise<Sent> {
  const body = o.rawBody ?? JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': o.contentType ?? 'application/json',
    'user-agent': 'GitHub-Hookshot/test',
    ...(o.event === '' ? {} : { 'x-github-event': o.event ?? 'push' }),
    ...(o.delivery === '' ? {} : { 'x-github-delivery': o.delivery ?? randomUUID() }),
    ...o.headers,
  };
  if (o.signature) headers['x-hub-signature-256'] = o.signature;
  else if (o.secret !== null) {
    headers['x-hub-signature-256'] = await sign(o.secret ?? 'test-webhook-secret', body);
  }
  const res = await fetch(`${base}/webhooks/github`, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed };
}
