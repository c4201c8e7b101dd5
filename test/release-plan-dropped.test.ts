// The local plan leaves inert commits (hidden types that release nothing) out of memory; a revert in the range
// may still name one, and must then meet it exactly as if nothing had been dropped.
import { afterAll, describe, expect, it } from 'vitest';
import { planLocalRelease } from '../src/cli/local-release-plan.js';
import { commit, git, initRepo, removeTempDirs } from './support/temp-repo.js';

afterAll(removeTempDirs);

describe('a release plan that drops inert commits', () => {
  it('puts back, as they were, the dropped commits a revert names by hash or by header', async () => {
    const dir = initRepo();
    commit(dir, 'feat: base');
    git(dir, ['tag', 'v1.0.0']);
    const docs = commit(dir, 'docs: tidy the readme (#31)');
    commit(dir, 'chore(deps): update deps\n\nRefs: #5');
    commit(dir, 'test: cover the parser');
    const feat = commit(dir, 'feat: add x');
    commit(dir, `revert: docs: tidy the readme\n\nThis reverts commit ${docs}.`);
    commit(dir, 'revert: chore(deps): update deps');
    commit(dir, 'fix: y');
    commit(dir, `Revert "feat: add x"\n\nThis reverts commit ${feat.slice(0, 9)}.`);
    commit(dir, 'docs: final words');

    const lean = await planLocalRelease({ cwd: dir, date: '2026-11-25' });
    const full = await planLocalRelease({ cwd: dir, date: '2026-11-25', keepAllCommits: true });
    const decision = (p: typeof lean) => ({
      commits: p.commits,
      bump: p.bump,
      causes: p.causes,
      nextVersion: p.nextVersion,
      notes: p.notes,
    });
    expect(decision(lean)).toEqual(decision(full));
    // The docs and chore commits the reverts name are back, field for field (the chore keeps its footer ref);
    // the test commit nobody names stays out.
    const headers = lean.parsedCommits.map((c) => c.header);
    expect(headers).toContain('docs: tidy the readme (#31)');
    expect(headers).not.toContain('test: cover the parser');
    for (const header of ['docs: tidy the readme (#31)', 'chore(deps): update deps']) {
      expect(lean.parsedCommits.find((c) => c.header === header)).toEqual(
        full.parsedCommits.find((c) => c.header === header),
      );
    }
    expect(lean.parsedCommits.find((c) => c.header === 'chore(deps): update deps')?.refs).toEqual([5]);
    expect(lean.parsedCommits.length).toBeLessThan(full.parsedCommits.length);
  }, 60_000);
});
