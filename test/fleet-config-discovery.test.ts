// Discovery reads each repo's .cutter.yml in its GraphQL query: its own tag format picks the latest tag, and the
// release tasks start with the config known, so no repository is probed for config files over REST.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFleet } from '../src/fleet/run-fleet.js';
import { discoverRepos } from '../src/github/discover-repos.js';
import { seedOrg } from '../src/sandbox/seed.js';
import { fleetRequest } from '../src/steps/fleet-flow.js';
import { sandboxClient, tempStore } from './release-flow-support.js';
import { type Harness, startSandbox } from './sandbox-harness.js';

const init = (files: Record<string, string>) => ({ commit: 'feat: init', files: { 'README.md': '# x\n', ...files } });

describe('config files read with discovery', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startSandbox({ validateResponses: false });
    const repos = [
      // Its own format is t{version}: v9.0.0 is someone else's tag, t1.4.0 is its latest release.
      {
        name: 'connector-t-format',
        history: [
          init({ '.cutter.yml': 'tagFormat: "t{version}"\n' }),
          { tag: 't1.4.0' },
          { tag: 'v9.0.0' },
          { commit: 'fix: x' },
        ],
      },
      {
        name: 'connector-yaml-ext',
        history: [init({ '.cutter.yaml': 'firstRelease: "0.1.0"\n' }), { commit: 'fix: y' }],
      },
      {
        name: 'connector-plain',
        history: [init({ 'docs/read me.txt': 'spaced\n' }), { tag: 'v1.0.0' }, { commit: 'fix: z' }],
      },
      // A file Cutter refuses: its release task reads it itself and fails naming the file, the others go on.
      {
        name: 'connector-bad-config',
        history: [init({ '.cutter.yml': 'tagFormt: v{version}\n' }), { commit: 'fix: w' }],
      },
    ];
    await h.sandbox.registerRepos('acme', await seedOrg(h.root, { org: 'acme', repos }));
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('serves object(expression:) from git: a Blob with its text, the head Commit, null for a missing path', async () => {
    const gh = await sandboxClient(h);
    const data = await gh.graphql<{
      repository: {
        defaultBranchRef: { target: { oid: string } };
        file: { __typename: string; text: string; byteSize: number; isBinary: boolean; isTruncated: boolean };
        head: { __typename: string; oid: string };
        missing: null;
      };
    }>(`{
      repository(owner: "acme", name: "connector-t-format") {
        defaultBranchRef { target { oid } }
        file: object(expression: "HEAD:.cutter.yml") { __typename ... on Blob { text byteSize isBinary isTruncated } }
        head: object(expression: "HEAD") { __typename oid }
        missing: object(expression: "HEAD:.cutter.yaml") { oid }
      }
    }`);
    const repo = data.repository;
    expect(repo.file).toEqual({
      __typename: 'Blob',
      text: 'tagFormat: "t{version}"\n',
      byteSize: 24,
      isBinary: false,
      isTruncated: false,
    });
    expect(repo.head).toEqual({ __typename: 'Commit', oid: repo.defaultBranchRef.target.oid });
    expect(repo.missing).toBeNull();
    const spaced = await gh.graphql<{ repository: { object: { text: string } | null } }>(
      '{ repository(owner: "acme", name: "connector-plain") { object(expression: "HEAD:docs/read me.txt") { ... on Blob { text } } } }',
    );
    expect(spaced.repository.object).toEqual({ text: 'spaced\n' });
  });

  it('returns each repo config file and picks its latest tag with its own tag format, still in one query', async () => {
    const gh = await sandboxClient(h);
    const { repos, spend } = await discoverRepos(gh, {
      org: 'acme',
      tagFormatFor: (_name, config) => (config?.text.includes('t{version}') ? 't{version}' : undefined),
    });
    expect(spend.queries).toBe(1);
    const by = new Map(repos.map((r) => [r.name, r]));
    expect(by.get('connector-t-format')?.config).toEqual({ file: '.cutter.yml', text: 'tagFormat: "t{version}"\n' });
    expect(by.get('connector-t-format')?.latest?.tag).toBe('t1.4.0');
    expect(by.get('connector-yaml-ext')?.config?.file).toBe('.cutter.yaml');
    expect(by.get('connector-plain')?.config).toBeNull();
    expect(by.get('connector-plain')?.latest?.tag).toBe('v1.0.0');
  });

  it('releases each repo in its own format without REST config probes, leaving a refused file to its task', async () => {
    const store = await tempStore();
    try {
      h.sandbox.resetCounters();
      const { summary } = await runFleet({
        store,
        deps: { github: await sandboxClient(h), notifiers: () => [] },
        request: fleetRequest({ org: 'acme' }),
        concurrency: 4,
      });
      const rows = Object.fromEntries(summary!.rows.map((r) => [r.repo, [r.outcome, r.nextTag]]));
      const bad = summary!.rows.find((r) => r.repo === 'connector-bad-config');
      expect(bad?.outcome).toBe('failed');
      expect(bad?.reason).toMatch(/CUTTER_CONFIG_INVALID.*\.cutter\.yml/);
      delete rows['connector-bad-config'];
      expect(rows).toEqual({
        'connector-t-format': ['released', 't1.4.1'],
        'connector-yaml-ext': ['released', 'v0.1.0'],
        'connector-plain': ['released', 'v1.0.1'],
      });
      const routes = h.sandbox.counters().byRoute;
      // Only the refused file is read again over REST, by the task that reports it.
      expect(routes['GET /repos/{owner}/{repo}/contents/{path}']).toBe(1);
    } finally {
      await store.close();
    }
  }, 120_000);
});
