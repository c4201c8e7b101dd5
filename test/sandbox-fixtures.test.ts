// Replays real GitHub exchanges recorded by @octokit/fixtures against the sandbox and compares status codes and
// response shapes: every field GitHub sent must be there, with the same JSON type.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPLOADS_PREFIX } from '../src/sandbox/shapes.js';
import { gitOk, type Harness, repoWithHistory, startSandbox, TOKEN } from './sandbox-harness.js';

interface Exchange {
  scope: string;
  method: string;
  path: string;
  body: unknown;
  status: number;
  response: unknown;
  reqheaders: Record<string, string | number>;
}

const FIXTURES = join(
  dirname(createRequire(import.meta.url).resolve('@octokit/fixtures/package.json')),
  'scenarios',
  'api.github.com',
);
const FIXTURE_ORG = 'octokit-fixture-org';
/** How the fixtures write the first and second commit they know of (normalized recordings). */
const SHA = (n: number) => n.toString().padStart(40, '0');

async function scenario(name: string): Promise<Exchange[]> {
  return JSON.parse(await readFile(join(FIXTURES, name, 'normalized-fixture.json'), 'utf8')) as Exchange[];
}

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Fields of `recorded` that `actual` lacks or types differently; null on either side matches anything. */
function shapeDiff(recorded: unknown, actual: unknown, at = '$'): string[] {
  if (recorded === null || actual === null) return [];
  if (kind(recorded) !== kind(actual)) return [`${at}: GitHub sent ${kind(recorded)}, the sandbox ${kind(actual)}`];
  if (Array.isArray(recorded) && Array.isArray(actual)) {
    return recorded.length > 0 && actual.length > 0 ? shapeDiff(recorded[0], actual[0], `${at}[0]`) : [];
  }
  if (kind(recorded) !== 'object') return [];
  const a = actual as Record<string, unknown>;
  return Object.entries(recorded as Record<string, unknown>).flatMap(([k, v]) =>
    k in a ? shapeDiff(v, a[k], `${at}.${k}`) : [`${at}.${k}: missing`],
  );
}

/** Learns which sandbox ids and shas stand for the recorded ones, from two answers of the same shape. */
function learn(recorded: unknown, actual: unknown, map: Map<string, string>): void {
  if (recorded === null || actual === null || kind(recorded) !== kind(actual)) return;
  if (Array.isArray(recorded) && Array.isArray(actual)) {
    for (const [i, r] of recorded.entries()) learn(r, actual[i], map);
    return;
  }
  if (kind(recorded) !== 'object') return;
  const a = actual as Record<string, unknown>;
  for (const [k, v] of Object.entries(recorded as Record<string, unknown>)) {
    if ((k === 'id' && typeof v === 'number') || (k === 'sha' && typeof v === 'string')) {
      if (!map.has(String(v))) map.set(String(v), String(a[k]));
    } else learn(v, a[k], map);
  }
}

function rewrite(path: string, map: Map<string, string>, owner: string): string {
  const [p = '', q] = path.split('?');
  const segments = p.split('/').map((s) => (s === FIXTURE_ORG ? owner : (map.get(s) ?? s)));
  return `${segments.join('/').replace(/\/$/, '')}${q ? `?${q}` : ''}`;
}

function rewriteBody(body: unknown, map: Map<string, string>): unknown {
  if (typeof body === 'string') return map.get(body) ?? body;
  if (Array.isArray(body)) return body.map((b) => rewriteBody(b, map));
  if (body && typeof body === 'object') {
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, rewriteBody(v, map)]));
  }
  return body;
}

interface Replayed {
  exchange: string;
  status: number;
  expected: number;
  diff: string[];
}

async function replay(h: Harness, exchanges: Exchange[], map: Map<string, string>): Promise<Replayed[]> {
  const out: Replayed[] = [];
  for (const x of exchanges) {
    const host = x.scope.includes('uploads.github.com') ? `${h.url}${UPLOADS_PREFIX}` : h.url;
    const path = rewrite(x.path, map, 'acme');
    const contentType = String(x.reqheaders['content-type'] ?? 'application/json');
    const body =
      x.body === '' || x.body === undefined
        ? undefined
        : typeof x.body === 'string'
          ? x.body
          : JSON.stringify(rewriteBody(x.body, map));
    const res = await fetch(`${host}${path}`, {
      method: x.method.toUpperCase(),
      headers: {
        accept: String(x.reqheaders['accept'] ?? 'application/vnd.github.v3+json'),
        authorization: `token ${TOKEN}`,
        ...(body !== undefined ? { 'content-type': contentType } : {}),
      },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    const json = /json/.test(res.headers.get('content-type') ?? '');
    const actual: unknown = json && text ? JSON.parse(text) : text;
    learn(x.response, actual, map);
    out.push({
      exchange: `${x.method.toUpperCase()} ${path}`,
      status: res.status,
      expected: x.status,
      diff: shapeDiff(x.response, actual),
    });
  }
  return out;
}

/** What a replay should show: every status as recorded, no field missing or typed differently. */
function expectFaithful(results: Replayed[]): void {
  expect(results.map((r) => `${r.exchange} → ${r.status}`)).toEqual(
    results.map((r) => `${r.exchange} → ${r.expected}`),
  );
  expect(results.flatMap((r) => r.diff.map((d) => `${r.exchange} ${d}`))).toEqual([]);
}

describe('replaying @octokit/fixtures recordings of real GitHub against the sandbox', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startSandbox();
  });
  afterAll(async () => {
    expect(h.sandbox.violations).toEqual([]);
    await h.close();
  });

  /** A repo named like the scenario's, with two commits: the recordings' SHA 1 is its head, SHA 2 the parent. */
  async function repoFor(name: string, files: Record<string, string> = {}): Promise<Map<string, string>> {
    const dir = await repoWithHistory(h, name, ['feat: first', 'fix: second']);
    for (const [path, content] of Object.entries(files)) {
      await h.octokit.rest.repos.createOrUpdateFileContents({
        owner: 'acme',
        repo: name,
        path,
        message: `docs: add ${path}`,
        content: Buffer.from(content).toString('base64'),
      });
    }
    await gitOk(dir, ['pull', '-q', 'origin', 'main']);
    return new Map([
      [SHA(1), await gitOk(dir, ['rev-parse', 'HEAD'])],
      [SHA(2), await gitOk(dir, ['rev-parse', 'HEAD~1'])],
    ]);
  }

  it('get-organization', async () => {
    expectFaithful(await replay(h, await scenario('get-organization'), new Map()));
  });

  it('get-repository and get-content', async () => {
    const map = await repoFor('hello-world', { 'README.md': '# Hello World\n' });
    expectFaithful(await replay(h, await scenario('get-repository'), map));
    expectFaithful(await replay(h, await scenario('get-content'), map));
    const raw = await fetch(`${h.url}/repos/acme/hello-world/contents/README.md`, {
      headers: { accept: 'application/vnd.github.v3.raw', authorization: `token ${TOKEN}` },
    });
    expect(await raw.text()).toBe('# Hello World\n');
  });

  it('create-file', async () => {
    expectFaithful(await replay(h, await scenario('create-file'), await repoFor('create-file')));
  });

  it('create-status', async () => {
    expectFaithful(await replay(h, await scenario('create-status'), await repoFor('create-status')));
  });

  it('git-refs: create, update, list and delete a branch ref', async () => {
    expectFaithful(await replay(h, await scenario('git-refs'), await repoFor('git-refs')));
  });

  it('release-assets: upload, list, get, rename and delete', async () => {
    const map = await repoFor('release-assets');
    await h.octokit.rest.repos.createRelease({ owner: 'acme', repo: 'release-assets', tag_name: 'v1.0.0' });
    expectFaithful(await replay(h, await scenario('release-assets'), map));
  });

  it('release-assets-conflict: a duplicate asset name is refused until the first is deleted', async () => {
    const map = await repoFor('release-assets-conflict');
    const { data: rel } = await h.octokit.rest.repos.createRelease({
      owner: 'acme',
      repo: 'release-assets-conflict',
      tag_name: 'v1.0.0',
    });
    await h.octokit.rest.repos.uploadReleaseAsset({
      owner: 'acme',
      repo: 'release-assets-conflict',
      release_id: rel.id,
      name: 'test-upload.txt',
      data: 'Hello, world!\n',
      baseUrl: `${h.url}${UPLOADS_PREFIX}`,
    });
    expectFaithful(await replay(h, await scenario('release-assets-conflict'), map));
  });
});

describe('shapeDiff', () => {
  it('names missing fields and type changes, tolerating nulls', () => {
    expect(
      shapeDiff({ a: 1, b: { c: 'x', d: [{ e: true }] }, f: null }, { a: 'one', b: { d: [{}] }, f: 3, extra: 1 }),
    ).toEqual(['$.a: GitHub sent number, the sandbox string', '$.b.c: missing', '$.b.d[0].e: missing']);
  });
});
