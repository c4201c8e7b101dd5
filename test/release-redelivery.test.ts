// A late redelivery of an older push, after a newer push was released, is explained and writes nothing.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GitHubClient } from '../src/github/client.js';
import type { ReleaseTaskData } from '../src/steps/release-data.js';
import { runRelease } from '../src/steps/run-release.js';
import type { SqliteStore } from '../src/store/sqlite-store.js';
import { pushCommits, pushFacts, remoteTags, sandboxClient, sandboxRepo, tempStore } from './release-flow-support.js';
import { gitOk, type Harness, startSandbox } from './sandbox-harness.js';

let h: Harness;
let gh: GitHubClient;
const stores: SqliteStore[] = [];

beforeAll(async () => {
  h = await startSandbox();
  gh = await sandboxClient(h);
});
afterAll(async () => {
  await h.close();
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function release(data: ReleaseTaskData) {
  const store = await tempStore();
  stores.push(store);
  return runRelease({
    store,
    deps: { github: gh, env: {} },
    data,
    engine: { retry: { baseMs: 10, maxMs: 200 } },
    timeoutMs: 200_000,
  });
}

const acme = (name: string) => ({ owner: 'acme', name });

async function releasesOf(name: string): Promise<string[]> {
  const { data } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: name });
  return data.map((r) => r.tag_name).sort();
}

describe('a late redelivery of an older push', { timeout: 240_000 }, () => {
  for (const older of ['feat: older feature', 'fix: older fix']) {
    it(`ends as skipped "already released in" the first tag containing it, with no write (${older})`, async () => {
      const repo = await sandboxRepo(h, `connector-late-${older.split(':')[0]}`, ['feat: first']);
      await gitOk(repo.dir, ['tag', '-a', 'v1.0.0', '-m', 'v1.0.0']);
      await gitOk(repo.dir, ['push', '-q', 'origin', 'v1.0.0']);
      await pushCommits(repo, [older]);
      const oldPush = await pushFacts(repo);
      await pushCommits(repo, ['feat: newer feature']);
      const newer = await release({ repo: acme(repo.name), push: await pushFacts(repo) });
      expect(newer.task.status).toBe('done');
      expect(newer.task.data['release']).toMatchObject({ nextTag: 'v1.1.0' });
      // A later release on top, so "already released in" must name the first release that contains the old head.
      await pushCommits(repo, ['fix: newest fix']);
      const newest = await release({ repo: acme(repo.name), push: await pushFacts(repo) });
      expect(newest.task.data['release']).toMatchObject({ nextTag: 'v1.1.1' });
      const tagsBefore = await remoteTags(h, repo.name);
      const writesBefore = h.sandbox.counters().byKind['write'] ?? 0;

      const late = await release({ repo: acme(repo.name), push: oldPush });

      expect(late.task.status).toBe('done');
      expect(late.task.error).toBeNull();
      expect(late.task.data['skipped']).toMatchObject({ reason: 'already released in v1.1.0' });
      expect(late.log.map((e) => e.step)).toEqual(['classify', 'latest-tag']);
      expect(await remoteTags(h, repo.name)).toEqual(tagsBefore);
      expect(await releasesOf(repo.name)).toEqual(['v1.1.0', 'v1.1.1']);
      expect(h.sandbox.counters().byKind['write'] ?? 0).toBe(writesBefore);
    });
  }

  it('does not call a side-branch head released: the next tag on another commit stays a conflict', async () => {
    const repo = await sandboxRepo(h, 'connector-late-side', ['feat: first']);
    await gitOk(repo.dir, ['tag', '-a', 'v1.0.0', '-m', 'v1.0.0']);
    await gitOk(repo.dir, ['push', '-q', 'origin', 'v1.0.0']);
    await pushCommits(repo, ['fix: on main']);
    const released = await release({ repo: acme(repo.name), push: await pushFacts(repo) });
    expect(released.task.data['release']).toMatchObject({ nextTag: 'v1.0.1' });
    // A maintenance-style head that forks before v1.0.1: v1.0.1 is neither behind nor ahead of it.
    await gitOk(repo.dir, ['checkout', '-q', '-b', 'side', 'v1.0.0']);
    await gitOk(repo.dir, ['commit', '-q', '--allow-empty', '-m', 'fix: side fix']);
    const side = await gitOk(repo.dir, ['rev-parse', 'HEAD']);
    await gitOk(repo.dir, ['push', '-q', 'origin', 'side']);

    const run = await release({
      repo: acme(repo.name),
      release: { head: side, branch: 'main' },
    });

    expect(run.task.data['skipped']).toBeUndefined();
    expect(run.task.status).toBe('failed');
    expect(run.task.error).toMatchObject({ code: 'CUTTER_TAG_CONFLICT' });
  });
});
