// `cutter release --repo` as a user runs it: against the sandbox over HTTP, with a SQLite task store on disk.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushCommits, remoteTags, sandboxRepo } from './release-flow-support.js';
import { gitOk, type Harness, startSandbox, TOKEN } from './sandbox-harness.js';
import { type CutterRun, runCutterSource } from './support/run-cutter.js';

let h: Harness;
beforeAll(async () => {
  h = await startSandbox();
});
afterAll(async () => {
  await h.close();
});

const cutter = (args: string[], env: Record<string, string> = {}): Promise<CutterRun> =>
  runCutterSource(args, { CUTTER_GITHUB_TOKEN: TOKEN, GITHUB_TOKEN: '', GITHUB_API_URL: h.url, ...env });

describe('cutter release --repo', { timeout: 240_000 }, () => {
  it('plans with --dry-run, then releases, then finds nothing left to release', async () => {
    const repo = await sandboxRepo(h, 'connector-cli', ['feat: first']);
    await gitOk(repo.dir, ['tag', '-a', 'v2.0.0', '-m', 'v2.0.0']);
    await gitOk(repo.dir, ['push', '-q', 'origin', 'v2.0.0']);
    await pushCommits(repo, ['fix: close the socket', 'feat(auth): token refresh']);
    const db = join(await h.tmp(), 'cutter.db');

    const plan = await cutter(['release', '--repo', 'acme/connector-cli', '--db', db, '--dry-run', '--json']);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    const planned = JSON.parse(plan.stdout) as Record<string, unknown>;
    expect(planned).toMatchObject({
      dryRun: true,
      lastTag: { tag: 'v2.0.0', version: '2.0.0' },
      bump: 'minor',
      nextVersion: '2.1.0',
      nextTag: 'v2.1.0',
      tag: null,
      release: null,
      task: { status: 'done' },
    });
    expect(planned['causes']).toEqual([
      expect.objectContaining({ header: 'feat(auth): token refresh', why: 'feat → minor' }),
    ]);
    expect(await remoteTags(h, repo.name)).not.toContain('v2.1.0');

    const cut = await cutter(['release', '--repo', 'acme/connector-cli', '--db', db]);
    expect(cut.code).toBe(0);
    expect(cut.stderr).toContain('✓ tag');
    expect(cut.stderr).toContain('✓ create-release');
    expect(cut.stdout).toContain('Next version:  2.1.0 (tag v2.1.0)');
    expect(cut.stdout).toContain(`Created tag:   v2.1.0 at ${repo.head.slice(0, 7)}`);
    expect(cut.stdout).toMatch(/Release: {7}http:\/\/127\.0\.0\.1:\d+\/acme\/connector-cli\/releases\/tag\/v2\.1\.0/);
    expect((await remoteTags(h, repo.name)).get('v2.1.0^{}')).toBe(repo.head);

    const again = await cutter(['release', '--repo', 'acme/connector-cli', '--db', db]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Skipped:       no commits since v2.1.0');
    const { data: releases } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: repo.name });
    expect(releases.map((r) => r.tag_name)).toEqual(['v2.1.0']);
  });

  it('rejects a --repo that is not owner/name as a usage error', async () => {
    const run = await cutter(['release', '--repo', 'not a repo']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('CUTTER_BAD_INPUT: --repo "not a repo" is not owner/name');
  });

  it('fails with the GitHub error, not a stack, when the repository does not exist', async () => {
    const db = join(await h.tmp(), 'cutter.db');
    const run = await cutter(['release', '--repo', 'acme/missing', '--db', db]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('CUTTER_NOT_FOUND');
    expect(run.stderr).not.toContain(TOKEN);
  });
});
