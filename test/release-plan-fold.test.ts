// The local plan folds the range commit by commit, reading HEAD's log along a line of single-parent commits when it
// can: on every shape of history it must answer what the whole range, parsed and decided at once, answers.
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalReleasePlan, planLocalRelease } from '../src/cli/local-release-plan.js';
import { ignoredAuthorFilter } from '../src/config/author-filter.js';
import { loadConfig } from '../src/config/load-config.js';
import { decideBump } from '../src/core/bump.js';
import { mergeBumpRules } from '../src/core/bump-rules.js';
import { parseCommit } from '../src/core/commit-parse.js';
import { nextVersionChecked } from '../src/core/next-version.js';
import { renderNotes } from '../src/core/notes.js';
import { formatTag } from '../src/core/tag-format.js';
import type { RawCommit } from '../src/core/types.js';
import { startLog, streamLog } from '../src/git/log-stream.js';
import { latestReleaseTag } from '../src/git/tags.js';
import { commit, git, initRepo, removeTempDirs } from './support/temp-repo.js';

afterAll(removeTempDirs);

const DATE = '2026-11-25';

/**
 * The plan the way it was made before folding: the reachable tags from one `for-each-ref --merged` walk, the
 * limited `git log tag..HEAD`, every commit parsed in full, then decided and rendered at once. Release branches
 * with the default channel only.
 */
async function referencePlan(dir: string) {
  const { config } = await loadConfig(dir);
  const head = git(dir, ['rev-parse', 'HEAD']);
  const tags = await latestReleaseTag(dir, config.tagFormat, { from: head });
  const ignored = ignoredAuthorFilter(config.ignoreAuthors);
  const raws: RawCommit[] = [];
  for await (const raw of streamLog(dir, [tags.latest ? `${tags.latest.commit}..${head}` : head])) raws.push(raw);
  const commits = raws.filter((c) => !ignored(c.authorName, c.authorEmail)).map(parseCommit);
  const decision = decideBump(commits, mergeBumpRules(config.bump), tags.latest?.version ?? null);
  const next = nextVersionChecked(tags.latest?.version ?? null, decision, { firstRelease: config.firstRelease });
  const byType: Record<string, number> = {};
  for (const c of commits) if (c.type !== null) byType[c.type] = (byType[c.type] ?? 0) + 1;
  const nextTag = next.version ? formatTag(config.tagFormat, { version: next.version }) : null;
  return {
    lastTag: tags.latest,
    foreignTags: tags.foreign,
    commits: {
      total: raws.length,
      byType,
      nonConventional: decision.nonConventional.length,
      skipped: decision.skipped.length,
      ignoredAuthors: raws.length - commits.length,
    },
    bump: decision.bump,
    causes: decision.causes,
    releaseAs: decision.releaseAs,
    nextVersion: next.version ?? null,
    notes:
      next.version && nextTag
        ? renderNotes(
            { version: next.version, tag: nextTag, previousTag: tags.latest?.tag ?? null, date: DATE, commits },
            { contributors: config.notes.contributors },
          )
        : null,
  };
}

function answers(plan: LocalReleasePlan) {
  return {
    lastTag: plan.lastTag,
    foreignTags: plan.foreignTags,
    commits: plan.commits,
    bump: plan.bump,
    causes: plan.causes.slice(),
    releaseAs: plan.releaseAs,
    nextVersion: plan.nextVersion,
    notes: plan.notes,
  };
}

async function expectSameAsReference(dir: string): Promise<LocalReleasePlan> {
  const plan = await planLocalRelease({ cwd: dir, date: DATE });
  expect(answers(plan)).toEqual(await referencePlan(dir));
  // The JSON output writes the notes from their UTF-8 when it has it: the same text.
  if (plan.notesUtf8) expect(Buffer.from(plan.notesUtf8).toString('utf8')).toBe(plan.notes);
  return plan;
}

/** A line of commits after v1.0.0 with reverts naming hidden commits by hash and by header, and odd shapes. */
function busyLine(dir: string): void {
  commit(dir, 'feat: base', { '.cutter.yml': 'ignoreAuthors: ["*[bot]"]\n' });
  git(dir, ['tag', 'v1.0.0']);
  const docs = commit(dir, 'docs: tidy the readme (#31)');
  commit(dir, 'chore(deps): update deps\n\nRefs: #5');
  commit(dir, 'test: cover the parser');
  const feat = commit(dir, 'feat: add x 🚀');
  commit(dir, `revert: docs: tidy the readme\n\nThis reverts commit ${docs}.`);
  commit(dir, 'revert: chore(deps): update deps');
  commit(dir, 'fix: y\n\nCloses: #9');
  commit(dir, `Revert "feat: add x 🚀"\n\nThis reverts commit ${feat.slice(0, 9)}.`);
  commit(dir, 'perf(api)!: drop the v1 endpoints\n\nBREAKING CHANGE: /v1 is gone\nsecond line');
  commit(dir, 'chore: release\n\nRelease-As: 3.0.0');
  commit(dir, 'Update README');
  commit(dir, 'fix: hidden [skip release]');
  git(dir, ['commit', '-q', '--allow-empty', '-m', 'feat: bump deps'], {
    env: { GIT_AUTHOR_NAME: 'renovate[bot]', GIT_AUTHOR_EMAIL: 'bot@example.com' },
  });
  commit(dir, 'docs: final words');
}

describe('the folded plan equals the range decided at once', () => {
  it('on a line of commits behind the tag: reverts, breaking notes, Release-As, skips, bots', async () => {
    const dir = initRepo();
    busyLine(dir);
    const plan = await expectSameAsReference(dir);
    expect(plan.bump).toBe('major');
    expect(plan.nextVersion).toBe('3.0.0');
    expect(plan.causes.length).toBe(1);
    expect(plan.parsedCommits).toEqual([]);
  });

  it('with a merge between HEAD and the tag', async () => {
    const dir = initRepo();
    commit(dir, 'feat: base');
    git(dir, ['tag', 'v1.0.0']);
    git(dir, ['checkout', '-q', '-b', 'topic']);
    commit(dir, 'feat(topic): side work');
    git(dir, ['checkout', '-q', 'main']);
    commit(dir, 'fix: main work');
    git(dir, ['merge', '-q', '--no-ff', '-m', 'Merge branch topic', 'topic']);
    commit(dir, 'fix: after the merge');
    const plan = await expectSameAsReference(dir);
    expect(plan.commits.total).toBe(4);
    expect(plan.nextVersion).toBe('1.1.0');
  });

  it('when the best tag is on a side branch HEAD does not reach, on a line and across a merge', async () => {
    const dir = initRepo();
    commit(dir, 'feat: base');
    git(dir, ['tag', 'v1.0.0']);
    git(dir, ['checkout', '-q', '-b', 'experiment']);
    commit(dir, 'feat!: rewrite');
    git(dir, ['tag', 'v2.0.0']);
    git(dir, ['checkout', '-q', 'main']);
    commit(dir, 'fix: on main');
    expect((await expectSameAsReference(dir)).lastTag?.tag).toBe('v1.0.0');
    git(dir, ['checkout', '-q', '-b', 'topic', 'v1.0.0']);
    commit(dir, 'feat: topic');
    git(dir, ['checkout', '-q', 'main']);
    git(dir, ['merge', '-q', '--no-ff', '-m', 'Merge topic', 'topic']);
    expect((await expectSameAsReference(dir)).lastTag?.tag).toBe('v1.0.0');
  });

  it('with foreign tags behind, at and after the release tag, and beside it', async () => {
    const dir = initRepo();
    commit(dir, 'feat: root');
    git(dir, ['tag', 'release-2019']);
    commit(dir, 'feat: base');
    git(dir, ['tag', 'v0.4.0']);
    git(dir, ['tag', 'latest']);
    commit(dir, 'feat: more');
    git(dir, ['tag', 'nightly']);
    commit(dir, 'fix: last');
    git(dir, ['checkout', '-q', '-b', 'side', 'v0.4.0']);
    commit(dir, 'feat: elsewhere');
    git(dir, ['tag', 'side-only']);
    git(dir, ['checkout', '-q', 'main']);
    const plan = await expectSameAsReference(dir);
    expect([...plan.foreignTags].sort()).toEqual(['latest', 'nightly', 'release-2019']);
    expect(plan.nextVersion).toBe('0.5.0');
  });

  it('with only foreign tags, and with no tags at all (merges included)', async () => {
    const dir = initRepo();
    commit(dir, 'feat: a');
    git(dir, ['checkout', '-q', '-b', 'topic']);
    commit(dir, 'fix: b');
    git(dir, ['checkout', '-q', 'main']);
    commit(dir, 'feat: c');
    git(dir, ['merge', '-q', '--no-ff', '-m', 'Merge topic', 'topic']);
    expect((await expectSameAsReference(dir)).nextVersion).toBe('1.0.0');
    git(dir, ['tag', 'latest']);
    expect((await expectSameAsReference(dir)).foreignTags).toEqual(['latest']);
  });

  it('with HEAD on the tag, the tag on the root commit, and a detached HEAD', async () => {
    const dir = initRepo();
    commit(dir, 'feat: root');
    git(dir, ['tag', '-a', '-m', 'Release 1.0.0', 'v1.0.0']);
    expect((await expectSameAsReference(dir)).commits.total).toBe(0);
    const fix = commit(dir, 'fix: one');
    commit(dir, 'feat: two');
    expect((await expectSameAsReference(dir)).nextVersion).toBe('1.1.0');
    git(dir, ['checkout', '-q', '--detach', fix]);
    expect((await expectSameAsReference(dir)).nextVersion).toBe('1.0.1');
  });

  it('before 1.0 and with a default patch', async () => {
    const dir = initRepo();
    commit(dir, 'feat: base', { '.cutter.yml': 'bump:\n  defaultPatch: true\n' });
    git(dir, ['tag', 'v0.3.0']);
    commit(dir, 'docs: a');
    commit(dir, 'chore: b');
    expect((await expectSameAsReference(dir)).nextVersion).toBe('0.3.1');
    commit(dir, 'feat!: c');
    expect((await expectSameAsReference(dir)).nextVersion).toBe('0.4.0');
  });

  it('keeps every commit when asked, as the changelog editor needs', async () => {
    const dir = initRepo();
    busyLine(dir);
    const plan = await planLocalRelease({ cwd: dir, date: DATE, keepAllCommits: true });
    expect(answers(plan)).toEqual(await referencePlan(dir));
    expect(plan.parsedCommits.map((c) => c.header)).toContain('test: cover the parser');
    expect(plan.parsedCommits).toHaveLength(plan.commits.total - plan.commits.ignoredAuthors);
  });

  it('reports a notes template it cannot read only when there are notes to write', async () => {
    const dir = initRepo();
    commit(dir, 'feat: base', { '.cutter.yml': 'notes:\n  template: missing.eta\n' });
    git(dir, ['tag', 'v1.0.0']);
    commit(dir, 'docs: nothing to release');
    expect((await planLocalRelease({ cwd: dir, date: DATE })).nextVersion).toBeNull();
    commit(dir, 'fix: something to release');
    await expect(planLocalRelease({ cwd: dir, date: DATE })).rejects.toThrow(/notes\.template: cannot read/);
  });
});

describe('a log of HEAD started before the plan (as the CLI starts it)', () => {
  it('is adopted when HEAD is where it was, and gives the same plan', async () => {
    const dir = initRepo();
    commit(dir, 'feat: base');
    git(dir, ['tag', 'v1.0.0']);
    commit(dir, 'fix: one');
    commit(dir, 'feat: two');
    const headLog = startLog(dir, ['HEAD'], { dates: false });
    const plan = await planLocalRelease({ cwd: dir, date: DATE, headLog });
    expect(answers(plan)).toEqual(await referencePlan(dir));
  });

  it('is set aside when HEAD moved after it started: the plan is that of the new HEAD', async () => {
    // Behind the tag on a line, and with no tag at all: both ways of reading the log of HEAD.
    for (const tagged of [true, false]) {
      const dir = initRepo();
      commit(dir, 'feat: base');
      if (tagged) git(dir, ['tag', 'v1.0.0']);
      commit(dir, 'fix: one');
      const headLog = startLog(dir, ['HEAD'], { dates: false });
      // Let the early log finish with the old HEAD before HEAD moves.
      await new Promise((r) => setTimeout(r, 200));
      const moved = commit(dir, 'feat!: two');
      const plan = await planLocalRelease({ cwd: dir, date: DATE, headLog });
      expect(plan.head).toBe(moved);
      expect(answers(plan)).toEqual(await referencePlan(dir));
      expect(plan.bump).toBe('major');
    }
  });
});

describe('commit types that are also names on Object.prototype', () => {
  it('counts a `constructor:` commit as the type it says', async () => {
    const dir = initRepo();
    commit(dir, 'feat: base');
    git(dir, ['tag', 'v1.0.0']);
    commit(dir, 'constructor: an odd type');
    commit(dir, 'fix: y');
    const plan = await planLocalRelease({ cwd: dir, date: DATE });
    expect(plan.commits.byType).toEqual({ fix: 1, constructor: 1 });
  });
});
