// A 200-repo generated org discovered through GraphQL the way the fleet does it, checked against git per repo.

import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOrg } from '../src/sandbox/orgs/generated.js';
import { type SeededRepo, seedOrg } from '../src/sandbox/seed.js';
import { createSandbox, type Sandbox } from '../src/sandbox/server.js';

const TOKEN = 'discovery-token';
const ORG = 'big';

const QUERY = `
query FleetRepos($org: String!, $first: Int!, $after: String) {
  organization(login: $org) {
    repositories(first: $first, after: $after, orderBy: { field: NAME, direction: ASC }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        name
        defaultBranchRef { name target { oid } }
        refs(refPrefix: "refs/tags/", first: 100, orderBy: { field: TAG_COMMIT_DATE, direction: DESC }) {
          totalCount
          nodes { name target { oid ... on Commit { committedDate } ... on Tag { target { oid ... on Commit { committedDate } } } } }
        }
      }
    }
  }
}`;

interface Target {
  oid: string;
  committedDate?: string;
  target?: Target;
}
interface RepoNode {
  name: string;
  defaultBranchRef: { name: string; target: { oid: string } } | null;
  refs: { totalCount: number; nodes: { name: string; target: Target }[] };
}
interface PageBody {
  data: {
    organization: {
      repositories: { totalCount: number; nodes: RepoNode[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    };
  };
  errors?: unknown;
}

/** What `git for-each-ref` says about one repo: its branch head and its tags with their commits and dates. */
function oracle(path: string) {
  const run = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: path, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout;
  };
  const fmt =
    '%(refname)%09%(objectname)%09%(objecttype)%09%(*objectname)%09%(committerdate:unix)%09%(*committerdate:unix)';
  const refs = run('for-each-ref', `--format=${fmt}`, 'refs/')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [ref = '', sha = '', type = '', peeled = '', date = '', peeledDate = ''] = l.split('\t');
      return { ref, sha, type, commit: peeled || sha, date: Number(type === 'tag' ? peeledDate : date) };
    });
  return {
    head: refs.find((r) => r.ref === 'refs/heads/main')?.sha ?? null,
    tags: refs.filter((r) => r.ref.startsWith('refs/tags/')),
  };
}

/** The GraphQL answer for one repo, in the oracle's terms. */
function answered(node: RepoNode) {
  return {
    head: node.defaultBranchRef?.target.oid ?? null,
    tags: node.refs.nodes.map((n) => {
      const commit = n.target.target ?? n.target;
      return {
        ref: `refs/tags/${n.name}`,
        sha: n.target.oid,
        type: n.target.target ? 'tag' : 'commit',
        commit: commit.oid,
        date: Date.parse(commit.committedDate ?? '') / 1000,
      };
    }),
  };
}

describe('GraphQL discovery of a 200-repo org', () => {
  let root: string;
  let seeded: SeededRepo[];
  let sandbox: Sandbox;
  let url: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sandbox-discovery-'));
    seeded = await seedOrg(root, generateOrg({ org: ORG, connectors: 190, others: 10, seed: 11 }));
    sandbox = await createSandbox({ root, tokens: { [TOKEN]: { orgs: '*', login: 'fleet-bot' } } });
    await sandbox.registerRepos(ORG, seeded);
    url = (await sandbox.listen()).url;
  }, 120_000);

  afterAll(async () => {
    await sandbox?.close();
    await rm(root, { recursive: true, force: true });
  });

  const page = async (after: string | null): Promise<PageBody['data']['organization']['repositories']> => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY, variables: { org: ORG, first: 50, after } }),
    });
    const body = (await res.json()) as PageBody;
    expect(body.errors).toBeUndefined();
    return body.data.organization.repositories;
  };

  const expectEqualToGit = (node: RepoNode) => {
    const repo = seeded.find((r) => r.name === node.name)!;
    const truth = oracle(repo.path);
    const got = answered(node);
    expect(got.head).toBe(truth.head);
    // the same tags, objects and commits as git lists them
    const byName = <T extends { ref: string }>(xs: T[]) => [...xs].sort((a, b) => a.ref.localeCompare(b.ref));
    expect(byName(got.tags)).toEqual(byName(truth.tags));
    // newest commit first, as TAG_COMMIT_DATE DESC asks
    const dates = got.tags.map((t) => t.date);
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    expect(node.refs.totalCount).toBe(truth.tags.length);
  };

  it('answers one cold 50-repo page with every head and tag equal to what git says', async () => {
    const started = performance.now();
    const first = await page(null);
    const ms = performance.now() - started;
    console.log(`cold 50-repo page: ${Math.round(ms)} ms`);
    expect(first.totalCount).toBe(200);
    expect(first.nodes).toHaveLength(50);
    expect(first.nodes.some((n) => n.refs.nodes.some((r) => r.target.target))).toBe(true);
    for (const node of first.nodes) expectEqualToGit(node);
  }, 60_000);

  it('lists all 200 repos across pages, each equal to git, without skipping or repeating one', async () => {
    const started = performance.now();
    const nodes: RepoNode[] = [];
    let after: string | null = null;
    for (;;) {
      const p: PageBody['data']['organization']['repositories'] = await page(after);
      nodes.push(...p.nodes);
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    console.log(`200-repo listing: ${Math.round(performance.now() - started)} ms`);
    expect(nodes.map((n) => n.name)).toEqual(seeded.map((r) => r.name).sort());
    for (const node of nodes) expectEqualToGit(node);
  }, 120_000);
});
