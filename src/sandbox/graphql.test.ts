import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphqlResponseError, graphql } from '@octokit/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphQLHandler, type GraphQLRequest } from './graphql.js';
import { ACME_ORG } from './orgs/acme.js';
import type { SandboxRateLimit, SandboxReader, SandboxRef } from './reader.js';
import { type SeededRepo, seedOrg } from './seed.js';

// A reader over the seeded bare repos, wired for these tests only: real git reads, in-memory tokens and budget.
function git(dir: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['--git-dir', dir, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, out: out.trim() }));
  });
}

function gitBytes(dir: string, args: string[]): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['--git-dir', dir, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve(code === 0 ? Buffer.concat(out) : null));
  });
}

const TOKENS: Record<string, { login: string; orgs: string[] }> = {
  ghp_acmeMember000000000000000000000000: { login: 'octocat', orgs: ['acme'] },
  ghp_stranger00000000000000000000000000: { login: 'stranger', orgs: [] },
};
const MEMBER = 'ghp_acmeMember000000000000000000000000';
const STRANGER = 'ghp_stranger00000000000000000000000000';

function gitReader(repos: SeededRepo[], budget: Map<string, SandboxRateLimit>): SandboxReader {
  const find = (owner: string, name: string) => repos.find((r) => r.owner === owner && r.name === name) ?? null;
  const rate = (token: string) => {
    let state = budget.get(token);
    if (!state) {
      state = { limit: 5000, remaining: 5000, used: 0, resetAt: new Date('2030-01-01T00:00:00Z') };
      budget.set(token, state);
    }
    return state;
  };
  return {
    listRepos: async (owner) => repos.filter((r) => r.owner === owner),
    getRepo: async (owner, name) => find(owner, name),
    orgExists: (owner) => repos.some((r) => r.owner === owner),
    canAccess: (token, owner) => TOKENS[token]?.orgs.includes(owner) ?? false,
    viewerLogin: (token) => TOKENS[token]?.login ?? null,
    headOid: async (owner, name, branch) => {
      const repo = find(owner, name);
      if (!repo) return null;
      const res = await git(repo.path, ['rev-parse', '--verify', '-q', `refs/heads/${branch}^{commit}`]);
      return res.code === 0 ? res.out : null;
    },
    listRefs: async (owner, name, prefix) => {
      const repo = find(owner, name);
      if (!repo) return [];
      const format =
        '%(refname) %(objectname) %(objecttype) %(*objectname) %(committerdate:iso-strict) %(*committerdate:iso-strict)';
      const res = await git(repo.path, ['for-each-ref', `--format=${format}`, prefix]);
      return res.out
        .split('\n')
        .filter(Boolean)
        .map((line): SandboxRef => {
          const [refname, oid, type, peeled, date, peeledDate] = line.split(' ');
          const tag = type === 'tag';
          return {
            name: refname!,
            oid: oid!,
            type: tag ? 'tag' : 'commit',
            commitOid: tag ? peeled! : oid!,
            committedDate: tag ? peeledDate! : date!,
          };
        });
    },
    commitDate: async (owner, name, oid) => {
      const repo = find(owner, name);
      const res = repo ? await git(repo.path, ['log', '-1', '--format=%cI', oid]) : { code: 1, out: '' };
      return res.code === 0 ? res.out : null;
    },
    gitObject: async (owner, name, expression) => {
      const repo = find(owner, name);
      if (!repo) return null;
      const spec = expression.replace(/^HEAD(?=:|$)/, `refs/heads/${repo.default_branch}`);
      const type = await git(repo.path, ['cat-file', '-t', spec]);
      const oid = await git(repo.path, ['rev-parse', '--verify', '-q', spec]);
      if (type.code !== 0 || oid.code !== 0) return null;
      if (type.out === 'blob') {
        const content = await gitBytes(repo.path, ['cat-file', 'blob', oid.out]);
        return content ? { type: 'blob', oid: oid.out, content } : null;
      }
      return type.out === 'commit' || type.out === 'tree' ? { type: type.out, oid: oid.out } : null;
    },
    rateLimit: (token) => ({ ...rate(token) }),
    chargeGraphQL: (token, cost) => {
      const state = rate(token);
      state.used += cost;
      state.remaining -= cost;
      return { ...state };
    },
  };
}

let root: string;
let repos: SeededRepo[];
let budget: Map<string, SandboxRateLimit>;
let handle: (req: GraphQLRequest) => Promise<{ status: number; body: unknown; cost: number }>;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cutter-graphql-'));
  repos = await seedOrg(root, {
    org: 'acme',
    repos: [...ACME_ORG.repos, { name: 'empty-repo', history: [] }],
  });
  budget = new Map();
  handle = createGraphQLHandler(gitReader(repos, budget));
  // A real HTTP endpoint so the real @octokit/graphql client can talk to the handler.
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', async () => {
      const parsed = JSON.parse(body) as { query: string; variables?: Record<string, unknown> };
      const token = (req.headers.authorization ?? '').replace(/^(token|bearer) /i, '');
      const out = await handle({ ...parsed, token });
      res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: the tests walk untyped GraphQL JSON, checked by the assertions themselves
type Json = any;
const ask = async (query: string, variables?: Record<string, unknown>, token = MEMBER) => {
  const out = await handle({ query, variables, token });
  return { ...out, body: out.body as { data?: Record<string, Json>; errors?: Array<Record<string, Json>> } };
};
const seeded = (name: string) => repos.find((r) => r.name === name)!;

describe('GraphQL: organization repositories', () => {
  it('pages through every repository of the org with opaque cursors', async () => {
    const names: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const { body } = await ask(
        'query($after: String) { organization(login: "acme") { repositories(first: 10, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { name nameWithOwner } } } }',
        { after },
      );
      const conn = body.data!['organization'].repositories;
      expect(conn.totalCount).toBe(repos.length);
      names.push(...conn.nodes.map((n: { name: string }) => n.name));
      after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
      if (after) expect(after).not.toMatch(/^\d+$/);
      pages++;
    } while (after);
    expect(pages).toBe(Math.ceil(repos.length / 10));
    expect(new Set(names).size).toBe(repos.length);
    expect(names.sort()).toEqual(repos.map((r) => r.name).sort());
  });

  it('filters archived repositories out with isArchived: false', async () => {
    const { body } = await ask(
      '{ organization(login: "acme") { repositories(first: 100, isArchived: false) { nodes { name isArchived } } } }',
    );
    const nodes = body.data!['organization'].repositories.nodes as Array<{ name: string }>;
    expect(nodes.map((n) => n.name)).not.toContain('connector-box');
    expect(nodes).toHaveLength(repos.length - 1);
  });

  it('reads each head and its tags, peeling annotated tags to their commit', async () => {
    const { body } = await ask(`{
      repository(owner: "acme", name: "connector-zendesk") {
        isArchived
        repositoryTopics(first: 5) { nodes { topic { name } } }
        defaultBranchRef { name target { oid ... on Commit { committedDate } } }
        refs(refPrefix: "refs/tags/", first: 10, orderBy: { field: ALPHABETICAL, direction: ASC }) {
          totalCount
          nodes { name target { oid __typename ... on Tag { target { oid } } } }
        }
      }
    }`);
    const repo = body.data!['repository'];
    const zendesk = seeded('connector-zendesk');
    expect(repo.defaultBranchRef.name).toBe('main');
    expect(repo.defaultBranchRef.target.oid).toBe(zendesk.heads['main']);
    expect(repo.defaultBranchRef.target.committedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(repo.repositoryTopics.nodes).toEqual([{ topic: { name: 'connector' } }]);
    expect(repo.refs.totalCount).toBe(2);
    expect(repo.refs.nodes[1]).toEqual({
      name: 'v2.0.1',
      target: { oid: zendesk.tags['v2.0.1']!.oid, __typename: 'Tag', target: { oid: zendesk.heads['main'] } },
    });
  });

  it('orders tags by commit date when asked, which is not the version order', async () => {
    const query = (order: string) =>
      `{ repository(owner: "acme", name: "connector-twilio") { refs(refPrefix: "refs/tags/", first: 3, orderBy: ${order}) { nodes { name } } } }`;
    const byDate = await ask(query('{ field: TAG_COMMIT_DATE, direction: DESC }'));
    expect(byDate.body.data!['repository'].refs.nodes.map((n: { name: string }) => n.name)).toEqual([
      'v1.9.1',
      'v1.10.0',
      'v1.9.0',
    ]);
    const byName = await ask(query('{ field: ALPHABETICAL, direction: DESC }'));
    expect(byName.body.data!['repository'].refs.nodes[0].name).toBe('v1.9.1');
  });

  it('reads 25 repositories in one query through aliases, for a cost of 1', async () => {
    const connectors = ACME_ORG.repos.filter((r) => r.name.startsWith('connector-'));
    const fields = connectors
      .map(
        (r, i) =>
          `r${i}: repository(owner: "acme", name: "${r.name}") { name defaultBranchRef { target { oid } } refs(refPrefix: "refs/tags/", first: 100) { nodes { name } } }`,
      )
      .join('\n');
    const { body, cost } = await ask(`{ ${fields} rateLimit { cost nodeCount } }`);
    expect(body.errors).toBeUndefined();
    expect(Object.keys(body.data!).filter((k) => k.startsWith('r'))).toHaveLength(26); // 25 + rateLimit
    expect(body.data!['r14'].name).toBe(connectors[14]!.name);
    expect(body.data!['r14'].refs.nodes).toHaveLength(12); // twilio's 12 tags
    expect(cost).toBe(1);
    expect(body.data!['rateLimit']).toEqual({ cost: 1, nodeCount: 2500 });
  });

  it('returns null for an empty repository default branch, as GitHub does', async () => {
    const { body } = await ask('{ repository(owner: "acme", name: "empty-repo") { defaultBranchRef { name } } }');
    expect(body.data!['repository'].defaultBranchRef).toBeNull();
  });
});

describe('GraphQL: cost and limits like GitHub', () => {
  it('charges (connections fetched) / 100, rounded, at least 1, and reports it in rateLimit', async () => {
    const before = budget.get(MEMBER)?.remaining ?? 5000;
    const { body, cost } = await ask(`{
      organization(login: "acme") {
        repositories(first: 100) {
          nodes { refs(refPrefix: "refs/tags/", first: 100) { nodes { name } } repositoryTopics(first: 50) { nodes { topic { name } } } }
        }
      }
      rateLimit { cost remaining used limit resetAt nodeCount }
    }`);
    // 1 request for repositories + 100 for refs + 100 for topics = 201 → 2
    expect(cost).toBe(2);
    expect(body.data!['rateLimit']).toMatchObject({
      cost: 2,
      remaining: before - 2,
      limit: 5000,
      nodeCount: 100 + 10_000 + 5_000,
    });
    expect(body.data!['rateLimit'].resetAt).toBe('2030-01-01T00:00:00Z');
  });

  it('refuses a page size above 100 before running anything', async () => {
    const before = budget.get(MEMBER)?.remaining;
    const { body, cost } = await ask('{ organization(login: "acme") { repositories(first: 101) { nodes { name } } } }');
    expect(body.data).toBeUndefined();
    expect(body.errors![0]).toMatchObject({
      type: 'EXCESSIVE_PAGINATION',
      path: ['organization', 'repositories'],
      message: 'Requesting 101 records on the `repositories` connection exceeds the `first` limit of 100 records.',
    });
    expect(cost).toBe(0);
    expect(budget.get(MEMBER)?.remaining).toBe(before);
  });

  it('requires first or last on every connection', async () => {
    const { body } = await ask('{ organization(login: "acme") { repositories { nodes { name } } } }');
    expect(body.errors![0]).toMatchObject({ type: 'MISSING_PAGINATION_BOUNDARIES' });
    expect(body.errors![0]!['message']).toContain('`repositories` connection');
  });

  it('rejects a page size below 1', async () => {
    const { body } = await ask('{ organization(login: "acme") { repositories(first: 0) { totalCount } } }');
    expect(body.errors![0]).toMatchObject({ type: 'INVALID_ARGUMENTS' });
  });

  it('refuses a query that could return more than 500,000 nodes', async () => {
    const fields = Array.from(
      { length: 50 },
      (_, i) =>
        `o${i}: organization(login: "acme") { repositories(first: 100) { nodes { refs(refPrefix: "refs/tags/", first: 100) { totalCount } } } }`,
    ).join('\n');
    const { body } = await ask(`{ ${fields} }`);
    expect(body.errors![0]).toMatchObject({ type: 'MAX_NODE_LIMIT_EXCEEDED' });
    expect(body.errors![0]!['message']).toContain('505,000');
  });

  it('answers RATE_LIMITED once the budget is spent, and the octokit client sees it', async () => {
    const token = STRANGER;
    budget.set(token, { limit: 5000, remaining: 0, used: 5000, resetAt: new Date('2030-01-01T00:00:00Z') });
    const { body } = await ask('{ viewer { login } }', undefined, token);
    expect(body.errors![0]).toMatchObject({ type: 'RATE_LIMITED' });
    const client = graphql.defaults({ baseUrl, headers: { authorization: `token ${token}` } });
    await expect(client('{ viewer { login } }')).rejects.toBeInstanceOf(GraphqlResponseError);
    budget.delete(token);
  });
});

describe('GraphQL: errors shaped like GitHub', () => {
  it('answers a missing org with data.organization null and a NOT_FOUND error with path and location', async () => {
    const { status, body } = await ask('{ organization(login: "nope") { login } }');
    expect(status).toBe(200);
    expect(body.data).toEqual({ organization: null });
    expect(body.errors).toEqual([
      {
        type: 'NOT_FOUND',
        path: ['organization'],
        locations: [{ line: 1, column: 3 }],
        message: "Could not resolve to an Organization with the login of 'nope'.",
      },
    ]);
  });

  it('hides an org from a token without access, as not found', async () => {
    const { body } = await ask('{ organization(login: "acme") { login } }', undefined, STRANGER);
    expect(body.data).toEqual({ organization: null });
    expect(body.errors![0]).toMatchObject({ type: 'NOT_FOUND' });
  });

  it('answers a missing repository under its alias, and still returns the others', async () => {
    const { body } = await ask(
      '{ a: repository(owner: "acme", name: "connector-slack") { name } b: repository(owner: "acme", name: "gone") { name } }',
    );
    expect(body.data).toEqual({ a: { name: 'connector-slack' }, b: null });
    expect(body.errors![0]).toMatchObject({
      type: 'NOT_FOUND',
      path: ['b'],
      message: "Could not resolve to a Repository with the name 'acme/gone'.",
    });
  });

  it('answers 401 Bad credentials without a valid token', async () => {
    for (const token of ['', 'ghp_wrong']) {
      const { status, body } = await ask('{ viewer { login } }', undefined, token);
      expect(status).toBe(401);
      expect(body).toMatchObject({ message: 'Bad credentials' });
    }
  });

  it('reports a syntax error with its location', async () => {
    const { body } = await ask('{ organization(login: "acme") { ');
    expect(body.errors![0]!['locations']).toHaveLength(1);
    expect(body.errors![0]!['message']).toMatch(/Syntax Error/);
  });

  it('reports an unknown field', async () => {
    const { body } = await ask('{ organization(login: "acme") { stargazers } }');
    expect(body.errors![0]!['message']).toContain('Cannot query field "stargazers"');
  });

  it('reports an invalid cursor', async () => {
    const { body } = await ask(
      '{ organization(login: "acme") { repositories(first: 1, after: "bm9wZQ==") { totalCount } } }',
    );
    expect(body.errors![0]).toMatchObject({ type: 'INVALID_CURSOR_ARGUMENTS' });
  });

  it('refuses mutations, which the sandbox does not serve', async () => {
    const { body } = await ask('mutation { createRef }');
    expect(body.errors).toHaveLength(1);
  });
});

describe('GraphQL through the real @octokit/graphql client', () => {
  it('runs a variables query over HTTP and returns the data', async () => {
    const client = graphql.defaults({ baseUrl, headers: { authorization: `token ${MEMBER}` } });
    const data = await client<{ viewer: { login: string }; organization: { repositories: { totalCount: number } } }>(
      'query($org: String!) { viewer { login } organization(login: $org) { repositories(first: 1) { totalCount } } }',
      { org: 'acme' },
    );
    expect(data.viewer.login).toBe('octocat');
    expect(data.organization.repositories.totalCount).toBe(repos.length);
  });
});
