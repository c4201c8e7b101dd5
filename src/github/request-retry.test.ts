// The client's retry and rate-limit hook against a scripted HTTP server: what is retried, what waits, what is capped.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CutterError } from '../core/errors.js';
import { clearSecrets } from '../core/redact.js';
import { createGitHubClient } from './client.js';
import { githubStatus } from './github-error.js';

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

let url = '';
let script: Answer[] = [];
let seen: string[] = [];
let inFlight = 0;
let mostInFlight = 0;
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  req.on('end', async () => {
    seen.push(`${req.method} ${req.url}`);
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    const a = script.shift() ?? { status: 200, body: { name: 'client-target' } };
    if (a.delayMs) await new Promise((r) => setTimeout(r, a.delayMs));
    inFlight--;
    res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
    res.end(JSON.stringify(a.body));
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  clearSecrets();
});
beforeEach(() => {
  script = [];
  seen = [];
  mostInFlight = 0;
});

const client = (over: Parameters<typeof createGitHubClient>[0] = {}) =>
  createGitHubClient({ baseUrl: url, token: 'ghp_retry_hook_test_token_01', env: {}, retryBaseMs: 5, ...over });

const secondary = (retryAfter: string): Answer => ({
  status: 403,
  headers: { 'retry-after': retryAfter },
  body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
});

describe('the retry and rate-limit hook', () => {
  it('retries a 5xx and a 429 that is not a rate limit on the quadratic schedule, then succeeds', async () => {
    script = [
      { status: 502, body: { message: 'Bad Gateway' } },
      { status: 429, body: { message: 'Too Many Requests' } },
    ];
    const gh = await client({ retries: 3 });
    const { data } = await gh.rest.repos.get({ owner: 'acme', repo: 'client-target' });
    expect(data.name).toBe('client-target');
    expect(seen).toHaveLength(3);
  });

  it('never retries an answer the same request would get again', async () => {
    script = [{ status: 422, body: { message: 'Validation Failed' } }];
    const gh = await client({ retries: 3 });
    const err = await gh.rest.repos.get({ owner: 'acme', repo: 'client-target' }).catch((e: unknown) => e);
    expect(githubStatus(err)).toBe(422);
    expect(seen).toHaveLength(1);
  });

  it('waits out a secondary limit as retry-after asks, then gives a longer wait back at once, unretried', async () => {
    script = [secondary('1'), secondary('120')];
    const gh = await client({ retries: 3, maxRetryAfterMs: 60_000 });
    const err = await gh.rest.repos.get({ owner: 'acme', repo: 'client-target' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CutterError);
    expect(githubStatus(err)).toBe(403);
    expect((err as CutterError).details?.['retryAfterMs']).toBe(120_000);
    // The first limit was waited out (1 s) and retried; the 120 s one is the engine's to wait, not retried early.
    expect(seen).toHaveLength(2);
  });

  it('retries a GraphQL answer that carries GitHub\u2019s transient "Something went wrong"', async () => {
    script = [{ status: 200, body: { errors: [{ message: 'Something went wrong while executing your query.' }] } }];
    const gh = await client({ retries: 2 });
    script.push({ status: 200, body: { data: { viewer: { login: 'cutter' } } } });
    const data = await gh.graphql<{ viewer: { login: string } }>('query { viewer { login } }');
    expect(data.viewer.login).toBe('cutter');
    expect(seen).toHaveLength(2);
  });

  it('keeps at most 10 requests in flight in the process, across clients, and runs every one', async () => {
    script = Array.from({ length: 25 }, () => ({ status: 200, body: { name: 'client-target' }, delayMs: 30 }));
    const [a, b] = await Promise.all([client(), client()]);
    const calls = Array.from({ length: 25 }, (_, i) =>
      (i % 2 ? a : b).rest.repos.get({ owner: 'acme', repo: 'client-target' }),
    );
    const answers = await Promise.all(calls);
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect(seen).toHaveLength(25);
    expect(mostInFlight).toBe(10);
  });
});
