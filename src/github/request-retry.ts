// Retries and rate-limit waits for GitHub requests as one Octokit hook: the policy of @octokit/plugin-retry and
// @octokit/plugin-throttling, without their Bottleneck queues (three per request, ~13 ms of timers and ~1 ms of CPU each).

import { FifoGate } from './fifo-gate.js';

/** What the hook is told about one request (Octokit's endpoint options). */
interface RequestOptions {
  method?: string;
  url?: string;
  request?: { retries?: number };
  [key: string]: unknown;
}

type Request = (options: RequestOptions) => Promise<{ data?: unknown }>;

export type LimitKind = 'rate limit' | 'secondary rate limit';

export interface RetryPolicy {
  /** Retries of a 5xx, a 429 that is not a rate limit, or a failed/timed-out fetch (Octokit reports those as 500). */
  retries: number;
  /** Unit of the quadratic backoff: base·1, base·4, base·9… */
  retryBaseMs: number;
  /** GitHub said to wait `retryAfterSeconds`: true waits and retries, false throws the answer to the caller. */
  onLimit(kind: LimitKind, retryAfterSeconds: number, options: RequestOptions, retryCount: number): boolean;
  sleep?: (ms: number) => Promise<void>;
}

/** plugin-retry's statuses that the same request would get again. */
const PERMANENT = new Set([400, 401, 403, 404, 410, 422, 451]);

/** Where GitHub Apps trade a JWT for a token, and OAuth token endpoints: one at a time, as plugin-throttling did. */
const AUTH_ROUTE =
  /^(?:\/applications\/[^/]+\/token(?:\/scoped)?|\/app\/installations\/[^/]+\/access_tokens|\/login\/oauth\/access_token)$/;

/** A FIFO of request slots with an optional gap between starts. */
class Lane {
  private readonly gate: FifoGate;
  private nextStart = 0;
  constructor(
    max: number,
    private readonly gapMs = 0,
  ) {
    this.gate = new FifoGate(max);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.gate.enter();
    try {
      if (this.gapMs > 0) {
        const wait = this.nextStart - Date.now();
        this.nextStart = Math.max(Date.now(), this.nextStart) + this.gapMs;
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      return await fn();
    } finally {
      this.gate.leave();
    }
  }
}

/**
 * Process-wide, like plugin-throttling's groups: at most 10 requests in flight to GitHub, token mints one at a
 * time, searches one at a time two seconds apart. Writes are paced by the Pacer, not here.
 */
const lanes = { global: new Lane(10), auth: new Lane(1), search: new Lane(1, 2_000) };

function pathOf(url: string | undefined): string {
  return new URL(url ?? '', 'http://github.invalid').pathname;
}

interface ErrorLike {
  status?: unknown;
  message?: unknown;
  request?: unknown;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

const statusOf = (err: ErrorLike) => (typeof err.status === 'number' ? err.status : 0);

function graphqlErrors(data: unknown): { type?: unknown; message?: unknown }[] {
  const errors = (data as { errors?: unknown } | null | undefined)?.errors;
  return Array.isArray(errors) ? errors : [];
}

/** GitHub's answer was a rate limit: which one and how many seconds it asks for; null when it was not. */
function rateLimit(err: ErrorLike, graphql: boolean): { kind: LimitKind; seconds: number } | null {
  const status = statusOf(err);
  if (!(status === 403 || status === 429 || (graphql && status !== 401))) return null;
  const headers = err.response?.headers ?? {};
  if (/\bsecondary rate\b/i.test(String(err.message ?? ''))) {
    return { kind: 'secondary rate limit', seconds: Number(headers['retry-after']) || 60 };
  }
  const limited = graphqlErrors(err.response?.data).some((e) => e.type === 'RATE_LIMITED');
  if (headers['x-ratelimit-remaining'] === '0' || limited) {
    // One second past the reset, as GitHub advises.
    const reset = Math.trunc(Number(headers['x-ratelimit-reset'])) * 1000;
    return { kind: 'rate limit', seconds: Math.max(Math.ceil((reset - Date.now()) / 1000) + 1, 0) };
  }
  return null;
}

/** Worth another try at once: an answer from GitHub (or Octokit's 500 for no answer) that may differ next time. */
function retryable(err: ErrorLike): boolean {
  return err.request !== undefined && statusOf(err) >= 400 && !PERMANENT.has(statusOf(err));
}

/** A GraphQL 200 can still carry a rate limit or GitHub's transient failure: both become errors to judge. */
function graphqlFailure(response: { data?: unknown }, options: RequestOptions): ErrorLike | null {
  const errors = graphqlErrors(response.data);
  if (errors.some((e) => e.type === 'RATE_LIMITED')) {
    return Object.assign(new Error('GraphQL Rate Limit Exceeded'), { response, data: response.data });
  }
  const first = errors[0]?.message;
  if (typeof first === 'string' && /Something went wrong while executing your query/.test(first)) {
    return Object.assign(new Error(first), { status: 500, request: options, response });
  }
  return null;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The `hook.wrap('request', …)` function: each attempt takes a slot; waits between attempts hold none. */
export function retryingRequest(policy: RetryPolicy): (request: Request, options: RequestOptions) => Promise<unknown> {
  const sleep = policy.sleep ?? defaultSleep;
  return async (request, options) => {
    const method = String(options.method ?? 'GET').toUpperCase();
    const path = pathOf(options.url);
    const graphql = path.startsWith('/graphql') || path.endsWith('/api/graphql');
    const lane =
      (method === 'POST' || method === 'PATCH') && AUTH_ROUTE.test(path)
        ? lanes.auth
        : method === 'GET' && path.startsWith('/search/')
          ? lanes.search
          : lanes.global;
    const retries = options.request?.retries ?? policy.retries;
    let retried = 0;
    let limited = 0;
    for (;;) {
      try {
        const response = await lane.run(() => request(options));
        const failure = graphql ? graphqlFailure(response, options) : null;
        if (failure) throw failure;
        return response;
      } catch (caught) {
        const err = (caught ?? {}) as ErrorLike;
        const limit = rateLimit(err, graphql);
        if (limit) {
          if (!policy.onLimit(limit.kind, limit.seconds, options, limited)) throw caught;
          limited++;
          await sleep(limit.seconds * 1000);
          continue;
        }
        if (!retryable(err) || retried >= retries) throw caught;
        retried++;
        await sleep(retried * retried * policy.retryBaseMs);
      }
    }
  };
}
