// Roll out a connector image through an HTTP infrastructure API: idempotent update, retries on 5xx, optional health poll.

import { CutterError } from '../core/errors.js';
import { parseImageRef } from '../core/image-ref.js';
import { redact, registerSecret } from '../core/redact.js';
import { type BackoffOptions, sleep as defaultSleep, withBackoff } from './backoff.js';
import { bodyExcerpt, type HttpAnswer, httpCall } from './http-call.js';
import {
  CONNECTOR_ID,
  type RolloutDriver,
  type RolloutOptions,
  type RolloutRequest,
  type RolloutResult,
} from './rollout-driver.js';

export interface InfraApiConfig {
  /** e.g. `https://infra.internal/api`; `{base}` in the templates below. */
  baseUrl: string;
  /** Where the update goes; `{base}` and `{connectorId}` are filled in (default `{base}/connectors/{connectorId}/image`). */
  updateUrl?: string;
  /** Default `PUT`. */
  method?: 'PUT' | 'POST' | 'PATCH';
  /** GET returning `{ image }`, to skip a roll-out that is already done (default `{base}/connectors/{connectorId}`; null: the API has none). */
  currentUrl?: string | null;
  /** GET polled after the update until `{ healthy: true }` or `{ status: "healthy" | "ok" | "ready" | "running" }`; null/absent: no poll. */
  statusUrl?: string | null;
  auth?: {
    /** The NAME of the environment variable holding the credential; the value never sits in config. */
    env: string;
    /** Default `authorization`. */
    header?: string;
    /** Prefix of the header value (default `Bearer `; '' for raw API keys). */
    scheme?: string;
  };
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Retries after the first attempt on 5xx, 408, 429, timeouts and connection errors (default 4). */
  retries?: number;
  /** First backoff delay, doubling (default 500 ms). */
  backoffMs?: number;
  maxBackoffMs?: number;
  health?: {
    /** Give up waiting for healthy after this long (default 60 s). */
    timeoutMs?: number;
    /** Between polls (default 1 s). */
    intervalMs?: number;
  };
}

export interface InfraApiDeps {
  /** Where the credential is read from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Each log line, already redacted (retries, waits). */
  log?: (line: string) => void;
  sleep?: BackoffOptions['sleep'];
}

const HEALTHY = /^(healthy|ok|ready|running|succeeded|success)$/i;
const BROKEN = /^(failed|failure|error|crashloop|crashloopbackoff)$/i;

function fill(template: string, base: string, connectorId: string): string {
  return template
    .replaceAll('{base}', base.replace(/\/+$/, ''))
    .replaceAll('{connectorId}', encodeURIComponent(connectorId));
}

/** Status codes worth another attempt: the server or the path to it had a bad moment. */
function retryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export function createInfraApiDriver(config: InfraApiConfig, deps: InfraApiDeps = {}): RolloutDriver {
  const env = deps.env ?? process.env;
  const method = config.method ?? 'PUT';
  const timeoutMs = config.timeoutMs ?? 10_000;
  const updateTemplate = config.updateUrl ?? '{base}/connectors/{connectorId}/image';
  const currentTemplate = config.currentUrl === undefined ? '{base}/connectors/{connectorId}' : config.currentUrl;
  const sleep = deps.sleep ?? defaultSleep;

  function headers(): Record<string, string> {
    if (!config.auth) return {};
    const value = env[config.auth.env];
    if (!value) {
      throw new CutterError('CUTTER_CONFIG_INVALID', `environment variable ${config.auth.env} is not set`, {
        hint: `export ${config.auth.env}=<infrastructure API credential> before rolling out`,
      });
    }
    registerSecret(value);
    return { [config.auth.header ?? 'authorization']: `${config.auth.scheme ?? 'Bearer '}${value}` };
  }

  /** Turn an answer into a value or a CutterError: 2xx passes, retryable statuses are transient, other 4xx fail fast. */
  function check(answer: HttpAnswer, what: string): HttpAnswer {
    if (answer.status >= 200 && answer.status < 300) return answer;
    const excerpt = bodyExcerpt(answer.text);
    const auth = answer.status === 401 || answer.status === 403;
    throw new CutterError('CUTTER_DEPLOY_FAILED', `${what} answered ${answer.status}${excerpt ? `: ${excerpt}` : ''}`, {
      transient: retryable(answer.status),
      hint: auth
        ? `the infrastructure API refused the credential from ${config.auth?.env ?? '(no auth configured)'}; check its value and scope`
        : retryable(answer.status)
          ? 'the infrastructure API kept failing; retry the roll-out later'
          : 'the infrastructure API rejected the request; fix it and roll out again',
      details: { status: answer.status },
    });
  }

  function retrying(log: string[], signal?: AbortSignal): BackoffOptions {
    return {
      retries: config.retries ?? 4,
      baseMs: config.backoffMs ?? 500,
      maxMs: config.maxBackoffMs ?? 10_000,
      signal,
      sleep,
      onRetry: ({ attempt, of, delayMs, error }) => {
        const line = redact(`attempt ${attempt}/${of} failed (${error.message}), retrying in ${delayMs}ms`);
        log.push(line);
        deps.log?.(line);
      },
    };
  }

  async function readCurrent(connectorId: string, log: string[], signal?: AbortSignal): Promise<string | null> {
    if (!currentTemplate) return null;
    const url = fill(currentTemplate, config.baseUrl, connectorId);
    const { value } = await withBackoff(
      async () => {
        const answer = await httpCall({ method: 'GET', url, headers: headers(), timeoutMs, signal });
        // An API without a read route (or a connector it has never seen) just means "unknown": roll out.
        if (answer.status === 404 || answer.status === 405 || answer.status === 501) return null;
        const body = check(answer, `GET ${redact(url)}`).json as { image?: unknown } | undefined;
        return typeof body?.image === 'string' ? body.image : null;
      },
      retrying(log, signal),
    );
    return value;
  }

  async function waitHealthy(
    req: RolloutRequest,
    log: string[],
    signal?: AbortSignal,
  ): Promise<{ healthy: boolean; url: string }> {
    const url = fill(config.statusUrl as string, config.baseUrl, req.connectorId);
    const limit = config.health?.timeoutMs ?? 60_000;
    const interval = config.health?.intervalMs ?? 1_000;
    const started = Date.now();
    let last = 'no answer';
    for (let poll = 1; ; poll++) {
      try {
        const answer = await httpCall({
          method: 'GET',
          url,
          headers: headers(),
          timeoutMs: Math.min(timeoutMs, limit),
          signal,
        });
        const body = answer.json as { healthy?: unknown; status?: unknown; image?: unknown } | undefined;
        const status = typeof body?.status === 'string' ? body.status : '';
        last = `${answer.status}${status ? ` ${status}` : ''}`;
        const imageMatches = typeof body?.image !== 'string' || body.image === req.image;
        if (
          answer.status >= 200 &&
          answer.status < 300 &&
          imageMatches &&
          (body?.healthy === true || HEALTHY.test(status))
        ) {
          log.push(`healthy after ${poll} poll(s)`);
          return { healthy: true, url };
        }
        if (BROKEN.test(status)) {
          throw new CutterError(
            'CUTTER_DEPLOY_FAILED',
            `${req.connectorId} reports ${status} after the update to ${req.image}`,
            {
              hint: `roll back with: cutter rollback --connector ${req.connectorId}`,
              details: { status: answer.status, health: status },
            },
          );
        }
        if (
          answer.status >= 400 &&
          answer.status < 500 &&
          answer.status !== 404 &&
          answer.status !== 408 &&
          answer.status !== 429
        ) {
          check(answer, `GET ${redact(url)}`);
        }
      } catch (err) {
        if (!(err instanceof CutterError) || !err.transient) throw err;
        last = err.message;
      }
      if (Date.now() - started + interval > limit) {
        throw new CutterError(
          'CUTTER_DEPLOY_FAILED',
          `${req.connectorId} not healthy ${limit}ms after the update to ${req.image} (last: ${redact(last)})`,
          {
            transient: true,
            hint: `check the connector; roll back with: cutter rollback --connector ${req.connectorId}`,
            details: { reason: 'health-timeout' },
          },
        );
      }
      await sleep(interval, signal);
    }
  }

  return {
    name: 'infra-api',

    async current(connectorId, opts = {}) {
      if (!CONNECTOR_ID.test(connectorId)) throw badConnector(connectorId);
      return readCurrent(connectorId, [], opts.signal);
    },

    async rollout(req: RolloutRequest, opts: RolloutOptions = {}): Promise<RolloutResult> {
      if (!CONNECTOR_ID.test(req.connectorId)) throw badConnector(req.connectorId);
      parseImageRef(req.image);
      const log: string[] = [];
      const base = { driver: 'infra-api', connectorId: req.connectorId, image: req.image };
      const previousImage = await readCurrent(req.connectorId, log, opts.signal);
      if (previousImage === req.image) {
        log.push(`${req.connectorId} already runs ${req.image}; nothing to do`);
        return { ...base, outcome: 'unchanged', previousImage, attempts: 0, log };
      }
      const url = fill(updateTemplate, config.baseUrl, req.connectorId);
      if (opts.dryRun) {
        log.push(redact(`would ${method} ${url} with {"image":"${req.image}"} (now: ${previousImage ?? 'unknown'})`));
        return { ...base, outcome: 'dry-run', previousImage, attempts: 0, log };
      }
      const { value: answer, attempts } = await withBackoff(
        async () =>
          check(
            await httpCall({
              method,
              url,
              headers: headers(),
              body: { image: req.image },
              timeoutMs,
              signal: opts.signal,
            }),
            `${method} ${redact(url)}`,
          ),
        retrying(log, opts.signal),
      );
      log.push(`${method} ${redact(url)} → ${answer.status} after ${attempts} attempt(s)`);
      const result: RolloutResult = {
        ...base,
        outcome: 'updated',
        previousImage,
        status: answer.status,
        attempts,
        log,
      };
      if (!config.statusUrl) return result;
      const health = await waitHealthy(req, log, opts.signal);
      return { ...result, healthy: health.healthy, url: health.url };
    },
  };
}

function badConnector(connectorId: string): CutterError {
  return new CutterError(
    'CUTTER_BAD_INPUT',
    `invalid connector id ${JSON.stringify(String(connectorId).slice(0, 80))}`,
    {
      hint: 'letters, digits, `.`, `_` and `-`, starting with a letter or digit',
    },
  );
}
