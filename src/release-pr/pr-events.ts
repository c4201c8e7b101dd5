// `pull_request` webhooks as tasks: a merged `release-*` PR becomes a release task, an opened or pushed PR a lint task.

import { createHash } from 'node:crypto';
import { CutterError } from '../core/errors.js';
import { RELEASE_TASK_KIND, releaseTaskKey } from '../steps/release-data.js';
import type { NewTask } from '../store/types.js';
import { RELEASE_BRANCH_PREFIX } from './release-branch.js';

export const PR_LINT_TASK_KIND = 'pr-lint';

/** What a release task started by a merged release PR carries as `releasePr` (read by the release-pr-merged step). */
export interface MergedReleasePr {
  number: number;
  /** The head branch, `release-v1.4.0`: it names the tag. */
  branch: string;
  /** The branch it was merged into. */
  base: string;
  headSha: string;
  mergeSha: string;
  /** The PR body: the release notes draft-release wrote. */
  body: string;
}

/** The data of a `pr-lint` task. */
export interface PrLintTaskData {
  repo: { owner: string; name: string };
  pr: { number: number; title: string; headSha: string; baseSha: string };
  linted?: { state: 'success' | 'failure'; description: string; problems: string[] };
}

/** The decision shape of the server's event table (kept structural so this module does not import the server). */
type EventDecision = { task: NewTask } | { ignore: string };

const LINT_ACTIONS = new Set(['opened', 'synchronize', 'reopened', 'edited']);

function record(value: unknown): Record<string, unknown> | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 12);
}

function malformed(what: string): CutterError {
  return new CutterError('CUTTER_BAD_INPUT', `pull_request payload without ${what}`, {
    hint: 'the body is not a GitHub pull_request event; check the hook sends it as JSON',
  });
}

/**
 * A merged `release-*` PR → a release task keyed on the repository (serialized with its pushes); the branch name
 * is judged by the task, so a bad one is refused in the task log and on the PR, not by a 4xx to GitHub.
 * Opened, reopened, edited or pushed PRs → a lint task whose outcome is the `cutter/lint` commit status.
 */
export function pullRequestToTask(payload: Record<string, unknown>): EventDecision {
  const action = text(payload['action']) ?? '';
  const repository = record(payload['repository']);
  const owner = text(record(repository?.['owner'])?.['login']);
  const name = text(repository?.['name']);
  const pr = record(payload['pull_request']);
  const number = typeof pr?.['number'] === 'number' ? pr['number'] : undefined;
  if (!owner || !name) throw malformed('repository.owner.login and repository.name');
  if (!pr || number === undefined) throw malformed('pull_request.number');
  const head = record(pr['head']);
  const base = record(pr['base']);
  const headRef = text(head?.['ref']);
  const headSha = text(head?.['sha']);
  if (!headRef || !headSha) throw malformed('pull_request.head.ref and head.sha');
  const repo = { owner, name };

  if (action === 'closed') {
    const mergeSha = text(pr['merge_commit_sha']);
    if (pr['merged'] !== true || !mergeSha) return { ignore: `pull request #${number} was closed without merging` };
    if (!headRef.startsWith(RELEASE_BRANCH_PREFIX)) {
      return { ignore: `pull request #${number} (${headRef}) is not a release PR` };
    }
    const releasePr: MergedReleasePr = {
      number,
      branch: headRef,
      base: text(base?.['ref']) ?? '',
      headSha,
      mergeSha,
      body: typeof pr['body'] === 'string' ? pr['body'] : '',
    };
    return {
      task: {
        kind: RELEASE_TASK_KIND,
        key: releaseTaskKey(repo),
        data: { repo, releasePr, trigger: `release PR #${number} merged` } as unknown as Record<string, unknown>,
        dedupeKey: `pr-merged:${releaseTaskKey(repo).toLowerCase()}:${number}:${mergeSha}`,
      },
    };
  }

  if (LINT_ACTIONS.has(action)) {
    const title = typeof pr['title'] === 'string' ? pr['title'] : '';
    const baseSha = text(base?.['sha']);
    if (!baseSha) throw malformed('pull_request.base.sha');
    const data: PrLintTaskData = { repo, pr: { number, title, headSha, baseSha } };
    return {
      task: {
        kind: PR_LINT_TASK_KIND,
        key: `${releaseTaskKey(repo)}#${number}`,
        data: data as unknown as Record<string, unknown>,
        // one verdict per head and title: an edit that keeps the title changes nothing
        dedupeKey: `pr-lint:${releaseTaskKey(repo).toLowerCase()}:${number}:${headSha}:${shortHash(title)}`,
      },
    };
  }
  return { ignore: `pull_request ${action || '(no action)'} needs nothing` };
}
