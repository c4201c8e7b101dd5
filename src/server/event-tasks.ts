// Which GitHub events start which task: one row per handled event, turning a verified payload into a NewTask.

import { CutterError } from '../core/errors.js';
import { pullRequestToTask } from '../release-pr/pr-events.js';
import { type PushFacts, RELEASE_TASK_KIND, type ReleaseTaskData, releaseTaskKey } from '../steps/release-data.js';
import type { NewTask } from '../store/types.js';
import { registryPackageToBuildTask, workflowRunToBuildTask } from './build-events.js';

/** What a handled event asks for: a task to store with the delivery, or a reason to answer 202 and store nothing. */
export type EventDecision = { task: NewTask } | { ignore: string };

export type EventToTask = (payload: Record<string, unknown>) => EventDecision;

/**
 * The events the receiver turns into work. Anything else is answered 202 `{ ignored }` with nothing stored:
 * GitHub marks a hook red on non-2xx answers, and an org hook subscribed to "everything" must not look broken.
 */
export const EVENT_TASKS: Readonly<Record<string, EventToTask>> = {
  push: pushToReleaseTask,
  pull_request: pullRequestToTask,
  registry_package: registryPackageToBuildTask,
  workflow_run: workflowRunToBuildTask,
};

function record(value: unknown): Record<string, unknown> | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function malformed(what: string): CutterError {
  return new CutterError('CUTTER_BAD_INPUT', `push payload without ${what}`, {
    hint: 'the body is not a GitHub push event; check the hook sends the push event as JSON or form data',
  });
}

/**
 * A push becomes a `release` task whose classify step decides (branch, bots, `[skip release]`…), so every
 * skipped push is explained in the task log. The dedupe key is the pushed commit on its ref: a repository
 * hook and an org hook deliver one push twice with two delivery ids, and that must stay one release.
 */
export function pushToReleaseTask(payload: Record<string, unknown>): EventDecision {
  const repository = record(payload['repository']);
  const owner = record(repository?.['owner']);
  const ownerLogin = text(owner?.['login']) ?? text(owner?.['name']);
  const name = text(repository?.['name']);
  if (!ownerLogin || !name) throw malformed('repository.owner.login and repository.name');
  const ref = text(payload['ref']);
  const after = text(payload['after']);
  if (!ref || !after) throw malformed('ref and after');
  const head = record(payload['head_commit']);
  const headAuthor = record(head?.['author']);
  const sender = record(payload['sender']);
  const pusher = text(record(payload['pusher'])?.['name']) ?? text(sender?.['login']);
  const push: PushFacts = {
    ref,
    after,
    ...(text(payload['before']) ? { before: text(payload['before']) as string } : {}),
    ...(typeof payload['deleted'] === 'boolean' ? { deleted: payload['deleted'] } : {}),
    ...(typeof payload['created'] === 'boolean' ? { created: payload['created'] } : {}),
    headCommit: head
      ? {
          ...(text(head['id']) ? { id: text(head['id']) as string } : {}),
          message: typeof head['message'] === 'string' ? head['message'] : '',
          ...(text(headAuthor?.['name']) ? { authorName: text(headAuthor?.['name']) as string } : {}),
          ...(text(headAuthor?.['email']) ? { authorEmail: text(headAuthor?.['email']) as string } : {}),
        }
      : null,
    ...(pusher ? { pusher } : {}),
    ...(text(sender?.['type']) ? { senderType: text(sender?.['type']) as string } : {}),
  };
  const repo = { owner: ownerLogin, name };
  const data: ReleaseTaskData = {
    repo,
    push,
    trigger: pusher ? `push by @${text(sender?.['login']) ?? pusher}` : 'push',
  };
  return {
    task: {
      kind: RELEASE_TASK_KIND,
      key: releaseTaskKey(repo),
      data: data as unknown as Record<string, unknown>,
      dedupeKey: `push:${releaseTaskKey(repo).toLowerCase()}:${ref}:${after}`,
    },
  };
}
