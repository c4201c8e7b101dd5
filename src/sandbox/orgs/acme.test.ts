import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/index.js';
import { type SeededRepo, seedOrg } from '../seed.js';
import { ACME_EXPECTED, ACME_ORG } from './acme.js';

// The expectations table was written by hand; these tests check it against the git state the seed produced,
// with git itself and the semver library, never with Cutter's own version logic.

let root: string;
let seeded: Map<string, SeededRepo>;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cutter-acme-'));
  seeded = new Map((await seedOrg(root, ACME_ORG)).map((r) => [r.name, r]));
}, 60_000);
afterAll(() => rm(root, { recursive: true, force: true }));

function git(repo: string, ...args: string[]): string {
  const res = spawnSync('git', ['--git-dir', seeded.get(repo)!.path, ...args], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`git ${args.join(' ')} in ${repo}: ${res.stderr}`);
  return res.stdout.trim();
}
const tagsOf = (repo: string) => git(repo, 'tag', '--list').split('\n').filter(Boolean);
const prefixOf = (repo: string) => (repo === 'website' ? 't' : 'v');

describe('the acme org', () => {
  it('carries only .cutter.yml files that Cutter accepts (the control repo once listed the pattern as an array)', async () => {
    const configs = ACME_ORG.repos.flatMap((repo) =>
      repo.history.flatMap((step) => {
        const files = 'files' in step ? (step.files as Record<string, string> | undefined) : undefined;
        const text = files?.['.cutter.yml'];
        return text === undefined ? [] : [{ repo: repo.name, text }];
      }),
    );
    expect(configs.length).toBeGreaterThan(0);
    for (const { repo, text } of configs) {
      await expect(parseConfig(text, `${repo}/.cutter.yml`)).resolves.toBeDefined();
    }
  });

  it('has 25 connectors, one of them archived, and an expectation for every repo', () => {
    const connectors = ACME_ORG.repos.filter((r) => r.name.startsWith('connector-'));
    expect(connectors).toHaveLength(25);
    expect(connectors.filter((r) => r.archived).map((r) => r.name)).toEqual(['connector-box']);
    expect(ACME_EXPECTED.map((e) => e.repo).sort()).toEqual(ACME_ORG.repos.map((r) => r.name).sort());
    for (const e of ACME_EXPECTED) {
      expect(e.fleet === 'not-a-connector', e.repo).toBe(!e.repo.startsWith('connector-'));
    }
  });

  it('has the latest tag the table names: the highest stable version in the repo tag format', () => {
    for (const e of ACME_EXPECTED) {
      const prefix = prefixOf(e.repo);
      const versions = tagsOf(e.repo)
        .filter((t) => t.startsWith(prefix))
        .map((t) => t.slice(prefix.length))
        .filter((v) => semver.valid(v) && semver.prerelease(v) === null);
      const highest = versions.length > 0 ? `${prefix}${semver.rsort(versions)[0]}` : null;
      expect(highest, e.repo).toBe(e.latestTag);
    }
  });

  it('has exactly as many commits since the latest tag as the table says', () => {
    for (const e of ACME_EXPECTED) {
      const range = e.latestTag ? `${e.latestTag}..main` : 'main';
      expect(Number(git(e.repo, 'rev-list', '--count', range)), e.repo).toBe(e.commitsSince);
    }
  });

  it('marks a repo up to date exactly when its latest tag is on the default branch head', () => {
    for (const e of ACME_EXPECTED) {
      if (!e.latestTag) continue;
      const onHead = git(e.repo, 'rev-parse', `${e.latestTag}^{commit}`) === git(e.repo, 'rev-parse', 'main');
      expect(onHead, e.repo).toBe(e.commitsSince === 0);
      if (e.fleet === 'up-to-date') expect(onHead, e.repo).toBe(true);
    }
  });

  it('names a next tag that is the latest version bumped as the table says', () => {
    for (const e of ACME_EXPECTED) {
      if (e.bump === null) {
        expect(e.nextTag, e.repo).toBeNull();
        continue;
      }
      if (e.latestTag === null) {
        expect(e.nextTag, e.repo).toBe('v1.0.0');
        continue;
      }
      const prefix = prefixOf(e.repo);
      expect(`${prefix}${semver.inc(e.latestTag.slice(prefix.length), e.bump)}`, e.repo).toBe(e.nextTag);
    }
  });

  it('releases only connectors with releasable commits, never the archived one', () => {
    const releasing = ACME_EXPECTED.filter((e) => e.fleet === 'release');
    expect(releasing.every((e) => e.nextTag !== null && e.commitsSince > 0)).toBe(true);
    expect(releasing).toHaveLength(17);
    expect(seeded.get('connector-box')!.archived).toBe(true);
  });

  it('sets the traps the table describes', () => {
    // twilio: newest tag by date, and last by name, is the maintenance v1.9.1
    const byCommitDate = tagsOf('connector-twilio').sort(
      (a, b) =>
        Number(git('connector-twilio', 'log', '-1', '--format=%ct', b)) -
        Number(git('connector-twilio', 'log', '-1', '--format=%ct', a)),
    );
    expect(byCommitDate[0]).toBe('v1.9.1');
    expect(tagsOf('connector-twilio').sort().at(-1)).toBe('v1.9.1');
    expect(tagsOf('connector-twilio')).toHaveLength(12);
    // mailchimp: the foreign `latest` is on head, `release-2020` further back
    expect(git('connector-mailchimp', 'rev-parse', 'latest')).toBe(git('connector-mailchimp', 'rev-parse', 'main'));
    expect(tagsOf('connector-mailchimp')).toContain('release-2020');
    // snowflake: the only feat is the oldest commit since the tag
    const subjects = git('connector-snowflake', 'log', '--format=%s', 'v4.2.0..main').split('\n');
    expect(subjects.at(-1)).toBe('feat(warehouse): auto-suspend');
    expect(subjects.filter((s) => s.startsWith('feat'))).toHaveLength(1);
    // okta: prerelease tags, annotated, with prerelease GitHub releases
    expect(git('connector-okta', 'cat-file', '-t', 'v2.0.0-beta.2')).toBe('tag');
    expect(
      seeded
        .get('connector-okta')!
        .releases.filter((r) => r.prerelease)
        .map((r) => r.tag_name),
    ).toEqual(['v2.0.0-beta.1', 'v2.0.0-beta.2']);
    // s3: the fix arrived through a merge commit
    expect(git('connector-s3', 'log', '-1', '--format=%P', 'main').split(' ')).toHaveLength(2);
    // website uses t-prefixed tags only
    expect(tagsOf('website')).toEqual(['t1.3.0', 't1.4.0']);
  });

  it('ships Kubernetes and Helm files naming connector images for GitOps bumps', () => {
    const files = git('infra-manifests', 'ls-tree', '-r', '--name-only', 'main').split('\n');
    expect(files).toContain('charts/connectors/values.yaml');
    expect(git('infra-manifests', 'show', 'main:apps/connectors/connector-slack/deployment.yaml')).toContain(
      'image: ghcr.io/acme/connector-slack:1.4.2',
    );
  });
});
