// Delivers sandbox events to configured webhooks like GitHub does: signed, recorded, redeliverable, never blocking the API.

import { createHmac, randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { redact, registerSecret } from '../core/redact.js';

export interface HookConfig {
  id: number;
  url: string;
  secret?: string;
  /** Event names, or `*` for every event. */
  events: string[];
  active: boolean;
  content_type: 'json' | 'form';
}

export interface EmitInput {
  owner: string;
  repo: string;
  event: string;
  payload: Record<string, unknown>;
}

/** A delivery in the shape of GitHub's "get a delivery for a repository webhook" response. */
export interface WebhookDelivery {
  id: number;
  guid: string;
  hook_id: number;
  delivered_at: string;
  redelivery: boolean;
  /** Seconds, as GitHub reports it. */
  duration: number;
  /** `OK`, `Invalid HTTP Response: 500`, or why the request failed. */
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
  url: string;
  request: { headers: Record<string, string>; payload: Record<string, unknown> };
  response: { headers: Record<string, string>; payload: string | null };
  /** Not part of GitHub's shape (extra fields are allowed there): where to redeliver. */
  owner: string;
  repo: string;
}

/** GitHub's `hook-delivery-item`: what the list endpoint shows. */
export type WebhookDeliverySummary = Omit<
  WebhookDelivery,
  'request' | 'response' | 'owner' | 'repo' | 'url' | 'hook_id'
>;

export interface WebhookDispatcherOptions {
  hooksFor(owner: string, repo: string): HookConfig[] | Promise<HookConfig[]>;
  /** Simulated time for `delivered_at` (the sandbox's scaled clock); real time by default. */
  clock?: { now(): number };
  /** GitHub gives up on a receiver after 10 seconds. */
  timeoutMs?: number;
  /** Deliveries kept per hook; the oldest are forgotten first. */
  keepPerHook?: number;
}

/** GitHub's agent string; receivers sometimes check the prefix. */
export const HOOKSHOT_USER_AGENT = 'GitHub-Hookshot/cutter-sandbox';
const MAX_RESPONSE_BODY = 64 * 1024;

export class WebhookDispatcher {
  private readonly options: WebhookDispatcherOptions;
  private readonly byId = new Map<number, WebhookDelivery>();
  private readonly byHook = new Map<number, number[]>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private nextId = 1;

  constructor(options: WebhookDispatcherOptions) {
    this.options = options;
  }

  /**
   * Send an event to every active hook of the repository that wants it. Returns once the deliveries are
   * started, not finished: the API request that caused the event must not wait on a slow receiver.
   */
  async emit(input: EmitInput): Promise<void> {
    const hooks = await this.options.hooksFor(input.owner, input.repo);
    for (const hook of hooks) {
      if (!hook.active || !(hook.events.includes(input.event) || hook.events.includes('*'))) continue;
      this.track(this.deliver(hook, input, randomUUID(), false));
    }
  }

  /** Send a past delivery again: same guid, event and payload, to the hook as configured now (GitHub's behaviour). */
  async redeliver(deliveryId: number): Promise<WebhookDelivery> {
    const past = this.byId.get(deliveryId);
    if (!past) throw new RangeError(`no webhook delivery ${deliveryId}`);
    const hooks = await this.options.hooksFor(past.owner, past.repo);
    const hook = hooks.find((h) => h.id === past.hook_id);
    if (!hook) throw new RangeError(`hook ${past.hook_id} no longer exists`);
    const input = { owner: past.owner, repo: past.repo, event: past.event, payload: past.request.payload };
    return this.track(this.deliver(hook, input, past.guid, true));
  }

  /** Newest first, without request and response bodies, like GitHub's list endpoint. */
  deliveries(hookId: number): WebhookDeliverySummary[] {
    const ids = this.byHook.get(hookId) ?? [];
    return ids
      .map((id) => this.byId.get(id))
      .filter((d): d is WebhookDelivery => d !== undefined)
      .reverse()
      .map((d) => ({
        id: d.id,
        guid: d.guid,
        delivered_at: d.delivered_at,
        redelivery: d.redelivery,
        duration: d.duration,
        status: d.status,
        status_code: d.status_code,
        event: d.event,
        action: d.action,
        installation_id: d.installation_id,
        repository_id: d.repository_id,
      }));
  }

  delivery(id: number): WebhookDelivery | undefined {
    return this.byId.get(id);
  }

  /** Resolves when every started delivery has finished (for tests and orderly shutdown). */
  async whenIdle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => {});
    return work;
  }

  private async deliver(
    hook: HookConfig,
    input: EmitInput,
    guid: string,
    redelivery: boolean,
  ): Promise<WebhookDelivery> {
    registerSecret(hook.secret);
    const json = JSON.stringify(input.payload);
    // GitHub signs exactly the bytes it sends: the JSON, or the urlencoded form that wraps it.
    const body = hook.content_type === 'form' ? `payload=${encodeURIComponent(json)}` : json;
    const repository = input.payload['repository'] as { id?: number } | undefined;
    const headers: Record<string, string> = {
      Accept: '*/*',
      'Content-Type': hook.content_type === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
      'User-Agent': HOOKSHOT_USER_AGENT,
      'X-GitHub-Delivery': guid,
      'X-GitHub-Event': input.event,
      'X-GitHub-Hook-ID': String(hook.id),
      'X-GitHub-Hook-Installation-Target-ID': String(repository?.id ?? 0),
      'X-GitHub-Hook-Installation-Target-Type': 'repository',
    };
    if (hook.secret) {
      headers['X-Hub-Signature-256'] = await sign(hook.secret, body);
      // GitHub still sends the legacy SHA-1 signature next to the SHA-256 one; older receivers check only it.
      headers['X-Hub-Signature'] = `sha1=${createHmac('sha1', hook.secret).update(body).digest('hex')}`;
    }
    const record: WebhookDelivery = {
      id: this.nextId++,
      guid,
      hook_id: hook.id,
      delivered_at: new Date(this.options.clock?.now() ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      redelivery,
      duration: 0,
      status: 'pending',
      status_code: 0,
      event: input.event,
      action: typeof input.payload['action'] === 'string' ? (input.payload['action'] as string) : null,
      installation_id: null,
      repository_id: repository?.id ?? null,
      url: hook.url,
      request: { headers, payload: input.payload },
      response: { headers: {}, payload: null },
      owner: input.owner,
      repo: input.repo,
    };
    this.remember(record);
    const started = performance.now();
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      const text = await res.text();
      record.status_code = res.status;
      record.status = res.status >= 200 && res.status < 300 ? 'OK' : `Invalid HTTP Response: ${res.status}`;
      const responseHeaders: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        responseHeaders[name] = value;
      });
      record.response = {
        headers: responseHeaders,
        payload: text.length > MAX_RESPONSE_BODY ? text.slice(0, MAX_RESPONSE_BODY) : text,
      };
    } catch (err) {
      // The receiver's failure is recorded, never thrown into the API request that caused the event.
      const cause = err instanceof Error ? err : new Error(String(err));
      record.status = cause.name === 'TimeoutError' ? 'timed out' : `failed to connect: ${redact(describe(cause))}`;
    }
    record.duration = Math.round(performance.now() - started) / 1000;
    return record;
  }

  private remember(record: WebhookDelivery): void {
    this.byId.set(record.id, record);
    const ids = this.byHook.get(record.hook_id) ?? [];
    ids.push(record.id);
    const keep = this.options.keepPerHook ?? 1000;
    while (ids.length > keep) this.byId.delete(ids.shift()!);
    this.byHook.set(record.hook_id, ids);
  }
}

function describe(err: Error): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? err.message;
}
