import { graphql } from '@octokit/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startSandbox, TOKEN } from './sandbox-harness.js';

describe('sandbox GraphQL endpoint', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startSandbox();
    await h.octokit.rest.repos.createInOrg({ org: 'acme', name: 'connector-g1', auto_init: true });
    await h.octokit.rest.repos.createRelease({ owner: 'acme', repo: 'connector-g1', tag_name: 'v1.2.3' });
  });
  afterAll(async () => {
    expect(h.sandbox.violations).toEqual([]);
    await h.close();
  });

  it('answers @octokit/graphql with repos, default-branch heads and tags, read from git', async () => {
    const gql = graphql.defaults({ baseUrl: h.url, headers: { authorization: `token ${TOKEN}` } });
    const head = (await h.octokit.rest.git.getRef({ owner: 'acme', repo: 'connector-g1', ref: 'heads/main' })).data
      .object.sha;
    const res = await gql<{
      organization: {
        repositories: {
          nodes: { name: string; defaultBranchRef: { target: { oid: string } }; refs: { nodes: { name: string }[] } }[];
        };
      };
      rateLimit: { remaining: number };
    }>(`query {
      organization(login: "acme") {
        repositories(first: 10) {
          nodes { name defaultBranchRef { target { oid } } refs(refPrefix: "refs/tags/", first: 5) { nodes { name } } }
        }
      }
      rateLimit { cost remaining resetAt }
    }`);
    const repo = res.organization.repositories.nodes.find((r) => r.name === 'connector-g1');
    expect(repo?.defaultBranchRef.target.oid).toBe(head);
    expect(repo?.refs.nodes.map((n) => n.name)).toEqual(['v1.2.3']);
    expect(res.rateLimit.remaining).toBeLessThan(5000);
    expect(h.sandbox.counters().byProtocol['graphql']).toBe(1);
  });

  it('says 401 to a wrong token', async () => {
    const res = await fetch(`${h.url}/graphql`, {
      method: 'POST',
      headers: { authorization: 'token wrong-token' },
      body: '{"query":"{ viewer { login } }"}',
    });
    expect(res.status).toBe(401);
  });
});
