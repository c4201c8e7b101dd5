// The `pr-lint` flow: a PR's commits and title checked against the repository's convention, as the `cutter/lint` status.

import { lintMessage, lintRulesFromConfig } from '../core/commit-lint.js';
import { CutterError } from '../core/errors.js';
import type { ReleaseDeps } from '../steps/release-deps.js';
import { readRepoConfig } from '../steps/repo-config.js';
import { defineFlow } from '../workflow/flow.js';
import type { Step } from '../workflow/types.js';
import type { PrLintTaskData } from './pr-events.js';

export const LINT_STATUS_CONTEXT = 'cutter/lint';
/** GitHub cuts commit status descriptions at 140 characters. */
const DESCRIPTION_MAX = 140;

export interface LintVerdict {
  state: 'success' | 'failure';
  description: string;
  problems: string[];
}

/**
 * The verdict on a PR: every commit (merge commits are git's, not the author's) and the title, which becomes
 * the header of a squash merge. The description names the first problem; the task log keeps them all.
 */
export function lintVerdict(
  title: string,
  commits: ReadonlyArray<{ sha: string; message: string }>,
  rules: Parameters<typeof lintMessage>[1],
): LintVerdict {
  const problems: string[] = [];
  for (const p of lintMessage(title, rules)) problems.push(`title: ${p.message}`);
  for (const c of commits) {
    for (const p of lintMessage(c.message, rules)) problems.push(`${c.sha.slice(0, 7)}: ${p.message}`);
  }
  const checked = `${commits.length} commit${commits.length === 1 ? '' : 's'} and the title`;
  if (problems.length === 0) {
    return { state: 'success', description: `${checked} follow the commit convention`, problems };
  }
  const first = problems[0] as string;
  const more = problems.length > 1 ? ` (+${problems.length - 1} more)` : '';
  const room = DESCRIPTION_MAX - more.length;
  const description = (first.length > room ? `${first.slice(0, room - 1)}…` : first) + more;
  return { state: 'failure', description, problems };
}

const lintPrStep: Step<ReleaseDeps> = {
  name: 'lint-pr',
  when: { pr: { headSha: String, baseSha: String }, linted: null },
  effect: 'idempotent',
  async run(ctx) {
    const data = ctx.data as unknown as PrLintTaskData;
    const { repo, pr } = data;
    if (!repo?.owner || !repo.name) {
      throw new CutterError('CUTTER_BAD_INPUT', 'a pr-lint task needs repo: { owner, name }');
    }
    const gh = ctx.deps.github;
    const o = { owner: repo.owner, repo: repo.name };
    // the rules as the PR's head defines them: a PR that adds a commit type may use it
    const { config } = await readRepoConfig(gh, repo, pr.headSha);
    const rules = lintRulesFromConfig({
      bump: config.bump,
      ...(config.notes.sections ? { notes: { sections: config.notes.sections } } : {}),
    });
    // compare lists up to 250 commits, the most a PR's commit list shows on GitHub
    const { data: compared } = await gh.rest.repos.compareCommitsWithBasehead({
      ...o,
      basehead: `${pr.baseSha}...${pr.headSha}`,
      per_page: 250,
    });
    const list = compared.commits.map((c) => ({ sha: c.sha, message: c.commit.message }));
    const verdict = lintVerdict(pr.title, list, rules);
    await gh.rest.repos.createCommitStatus({
      ...o,
      sha: pr.headSha,
      state: verdict.state,
      context: LINT_STATUS_CONTEXT,
      description: verdict.description,
    });
    ctx.log(
      `#${pr.number} ${verdict.state}: ${verdict.problems.length === 0 ? verdict.description : verdict.problems.join('; ')}`,
    );
    return { complete: true, patch: { linted: { ...verdict } } };
  },
};

export const prLintFlow = defineFlow<ReleaseDeps>('pr-lint', [lintPrStep]);
