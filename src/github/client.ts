// The one GitHub client factory: Octokit with throttling and retries, pacing, CutterErrors and redacted secrets.

import { Octokit } from '@octokit/rest';
import { CutterError } from '../core/errors.js';
import { redact, registerSecret } from '../core/redact.js';
import { EtagCache } from './etag-cache.js';
import { toCutterError } from './github-error.js';
import { type Pacer, passThroughPacer } from './pacer.js';
import { type LimitKind, retryingRequest } from './request-retry.js';

/** The client every step uses: `@octokit/rest` with Cutter's retry and rate-limit hook (request-retry.ts). */
export type GitHubClient = Octokit;

export interface GitHubLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface GitHubAppCredentials {
  appId: number | string;
  privateKey: string;
  installationId: number | string;
}

export interface GitHubClientOptions {
  /** API root; default `GITHUB_API_URL`, else https://api.github.com. */
  baseUrl?: string;
  /** Default `CUTTER_GITHUB_TOKEN`, else `GITHUB_TOKEN`. */
  token?: string;
  /** Authenticate as a GitHub App installation instead of with a token. */
  app?: GitHubAppCredentials;
  /** Asked before every request; the default lets everything through. */
  pacer?: Pacer;
  logger?: GitHubLogger;
  userAgent?: string;
  /** Environment to read defaults from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Per-attempt timeout of one HTTP request (default 30 s): a hung connection becomes a retryable error. */
  requestTimeoutMs?: number;
  /** In-client retries of 5xx/network failures (default 3); the workflow engine retries the step after that. */
  retries?: number;
  /** Unit of the retry plugin's quadratic backoff (default 1000 ms: 1 s, 4 s, 9 s). */
  retryBaseMs?: number;
  /** Longest `retry-after` waited for inside the client (default 60 s); longer waits go back to the engine. */
  maxRetryAfterMs?: number;
  /** Rate-limit retries inside the client (default 2). */
  rateLimitRetries?: number;
  /**
   * REST GET answers kept by ETag (default a 2,000-entry LRU; `false` turns it off): repeated reads go out with
   * If-None-Match, and GitHub's 304 does not count against the primary rate limit.
   */
  etagCache?: EtagCache | false;
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/**
 * GraphQL is POST but reads: GitHub's secondary limits count it by query points, not as content creation, so it
 * must not spend the write budget (mutations, which Cutter does not send, would be the exception).
 */
function requestKind(method: string, route: string): 'read' | 'write' {
  if (route === '/graphql' || route.endsWith('/api/graphql')) return 'read';
  return WRITE_METHODS.has(method) ? 'write' : 'read';
}

const statusOf = (err: unknown): number | undefined =>
  typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number'
    ? (err as { status: number }).status
    : undefined;

const silentLogger: GitHubLogger = { debug() {}, info() {}, warn() {}, error() {} };

function redactingLogger(logger: GitHubLogger): GitHubLogger {
  return {
    debug: (m) => logger.debug(redact(String(m))),
    info: (m) => logger.info(redact(String(m))),
    warn: (m) => logger.warn(redact(String(m))),
    error: (m) => logger.error(redact(String(m))),
  };
}

/** Where a GitHub App trades its JWT for an installation token. */
const MINT_TOKEN_PATH = /\/app\/installations\/[^/]+\/access_tokens$/;

/** An installation token is a secret from the moment GitHub mints it: registered before Octokit reads the answer. */
async function registerMintedToken(input: Parameters<typeof fetch>[0], init: RequestInit, res: Response) {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if ((init.method ?? 'GET').toUpperCase() !== 'POST' || !res.ok) return;
  if (!MINT_TOKEN_PATH.test(new URL(url).pathname)) return;
  const body = (await res
    .clone()
    .json()
    .catch(() => null)) as { token?: unknown } | null;
  if (typeof body?.token === 'string') registerSecret(body.token);
}

/**
 * A fetch whose every attempt times out on its own, so a retry is not born already aborted; and which registers
 * GitHub App installation tokens with the redactor as they are minted.
 */
function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return async (input, init = {}) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const res = await fetch(input, { ...init, signal });
    await registerMintedToken(input, init, res);
    return res;
  };
}

async function appAuth(app: GitHubAppCredentials): Promise<{ authStrategy: unknown; auth: Record<string, unknown> }> {
  // Loaded only for App installations: token users never pay for the JWT machinery.
  const { createAppAuth } = await import('@octokit/auth-app');
  registerSecret(app.privateKey);
  return {
    authStrategy: createAppAuth,
    auth: { appId: app.appId, privateKey: app.privateKey, installationId: app.installationId },
  };
}

/** App credentials from `CUTTER_GITHUB_APP_ID`, `CUTTER_GITHUB_APP_PRIVATE_KEY`, `CUTTER_GITHUB_APP_INSTALLATION_ID`. */
function appFromEnv(env: Record<string, string | undefined>): GitHubAppCredentials | undefined {
  const appId = env.CUTTER_GITHUB_APP_ID;
  const privateKey = env.CUTTER_GITHUB_APP_PRIVATE_KEY;
  const installationId = env.CUTTER_GITHUB_APP_INSTALLATION_ID;
  if (!appId || !privateKey || !installationId) return undefined;
  // Keys in environment variables often arrive with literal \n instead of line breaks.
  return { appId, privateKey: privateKey.replace(/\\n/g, '\n'), installationId };
}

/** Build the GitHub client. Tokens are registered as secrets before the first request can log anything. */
export async function createGitHubClient(options: GitHubClientOptions = {}): Promise<GitHubClient> {
  const env = options.env ?? process.env;
  const baseUrl = (options.baseUrl ?? env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  const token = options.token ?? (env.CUTTER_GITHUB_TOKEN || env.GITHUB_TOKEN || undefined);
  const app = options.app ?? appFromEnv(env);
  const pacer = options.pacer ?? passThroughPacer;
  const logger = redactingLogger(options.logger ?? silentLogger);
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const etags = options.etagCache === false ? null : (options.etagCache ?? new EtagCache());
  if (token) registerSecret(token);
  if (!token && !app) {
    throw new CutterError('CUTTER_GITHUB_AUTH', 'no GitHub credentials', {
      hint: 'set CUTTER_GITHUB_TOKEN or GITHUB_TOKEN, or CUTTER_GITHUB_APP_ID, CUTTER_GITHUB_APP_PRIVATE_KEY and CUTTER_GITHUB_APP_INSTALLATION_ID',
    });
  }
  // An explicit token wins over App credentials found in the environment.
  const auth = options.app || (!token && app) ? await appAuth(app!) : { auth: token };

  // retry-after is in seconds: waits the client takes itself are bounded, longer ones become a transient error.
  const onLimit = (
    kind: LimitKind,
    retryAfterSeconds: number,
    opts: { method?: string; url?: string },
    retryCount: number,
  ) => {
    const ms = retryAfterSeconds * 1000;
    pacer.noteRetryAfter(ms);
    const again = retryCount < rateLimitRetries && ms <= maxRetryAfterMs;
    logger.warn(
      `${kind} on ${opts.method ?? ''} ${opts.url ?? ''}: retry-after ${retryAfterSeconds}s${again ? ', retrying' : ''}`,
    );
    return again;
  };

  const octokit = new Octokit({
    ...(auth as object),
    baseUrl,
    userAgent: options.userAgent ?? 'cutter-release',
    log: logger,
    request: { fetch: fetchWithTimeout(options.requestTimeoutMs ?? 30_000) },
  });
  // Registered before the hook below, so it runs inside it: the pacer is asked once per call, not per attempt.
  octokit.hook.wrap(
    'request',
    retryingRequest({ retries: options.retries ?? 3, retryBaseMs: options.retryBaseMs ?? 1000, onLimit }) as never,
  );

  octokit.hook.wrap('request', async (request, opts) => {
    const method = String(opts.method ?? 'GET').toUpperCase();
    // Paginated calls carry a full URL: keep the path only (no host, no query) in errors and logs.
    const route = decodeURI(new URL(String(opts.url ?? ''), 'http://github.invalid').pathname);
    // The expanded URL plus Accept (a media type changes the body) names one cacheable answer. Asset bytes are not
    // kept: a stream (parseSuccessResponseBody: false) is read once by its caller, and binaries would fill the LRU;
    // so their downloads, which end on the storage host's ETag, never go out with If-None-Match either.
    const streamed =
      (opts.request as { parseSuccessResponseBody?: boolean } | undefined)?.parseSuccessResponseBody === false;
    const binary = /octet-stream/.test(String((opts.headers as Record<string, unknown> | undefined)?.['accept'] ?? ''));
    let cacheKey: string | null = null;
    if (etags && method === 'GET' && !streamed && !binary) {
      const parsed = octokit.request.endpoint.parse(opts as never);
      cacheKey = `${String(parsed.headers['accept'] ?? '')} ${parsed.url}`;
      const etag = etags.etagOf(cacheKey);
      if (etag) opts.headers = { ...opts.headers, 'if-none-match': etag };
    }
    const done = await pacer.acquire(requestKind(method, route));
    try {
      const response = await request(opts);
      const etag = response.headers.etag;
      if (cacheKey && etags && response.status === 200 && typeof etag === 'string') {
        etags.remember(cacheKey, {
          etag,
          status: response.status,
          url: response.url,
          headers: response.headers,
          data: response.data,
        });
      }
      return response;
    } catch (err) {
      // Not modified: the answer we already hold is still current.
      const cached = cacheKey && etags && statusOf(err) === 304 ? etags.reuse(cacheKey) : undefined;
      if (cached) return { status: 200, url: cached.url, headers: cached.headers, data: cached.data } as never;
      throw toCutterError(err, method, route);
    } finally {
      done();
    }
  });
  return octokit;
}
