// GitHub events that mean "an image was built": a published container package, a successful workflow run on a tag.

import { isImageRef } from '../core/image-ref.js';
import { BUILD_TASK_KIND, type BuildTaskData, buildTaskKey, parseBuildRequest } from '../steps/rollout-data.js';
import type { EventDecision } from './event-tasks.js';

function record(value: unknown): Record<string, unknown> | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function repoOf(payload: Record<string, unknown>): { owner: string; name: string } | null {
  const repository = record(payload['repository']);
  const owner = text(record(repository?.['owner'])?.['login']);
  const name = text(repository?.['name']);
  return owner && name ? { owner, name } : null;
}

const VERSION_TAG = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/;

function decision(data: BuildTaskData, dedupeKey: string): EventDecision {
  const build = parseBuildRequest(data.build);
  return { task: { kind: BUILD_TASK_KIND, key: buildTaskKey(build), data: data as never, dedupeKey } };
}

/** `registry_package` published: a container image with a version tag rolls out to the connector named like the repo. */
export function registryPackageToBuildTask(payload: Record<string, unknown>): EventDecision {
  if (payload['action'] !== 'published') return { ignore: `registry_package ${String(payload['action'])}` };
  const pkg = record(payload['registry_package']);
  const type = text(pkg?.['package_type'])?.toLowerCase();
  if (type !== 'container' && type !== 'docker') return { ignore: `a ${type ?? 'unknown'} package is not an image` };
  const repo = repoOf(payload);
  if (!repo) return { ignore: 'registry_package without a repository: no connector to roll out' };
  const version = record(pkg?.['package_version']);
  const tag = text(record(record(version?.['container_metadata'])?.['tag'])?.['name']) ?? text(version?.['version']);
  if (!tag || !VERSION_TAG.test(tag)) return { ignore: `image tag ${tag ?? '(none)'} is not a release version` };
  const url = text(version?.['package_url']);
  const image = url && isImageRef(url) && url.endsWith(`:${tag}`) ? url : undefined;
  const full = `${repo.owner}/${repo.name}`;
  return decision(
    {
      build: {
        type: 'connector',
        connectorId: repo.name,
        repo: full,
        ...(image ? { image } : {}),
        version: (VERSION_TAG.exec(tag) as RegExpExecArray)[1] as string,
        trigger: `package ${text(pkg?.['name']) ?? repo.name}:${tag} published`,
      },
    },
    `build:registry_package:${full.toLowerCase()}:${tag}`,
  );
}

/** `workflow_run` completed with success on a version tag: the workflow built that version's image. */
export function workflowRunToBuildTask(payload: Record<string, unknown>): EventDecision {
  if (payload['action'] !== 'completed') return { ignore: `workflow_run ${String(payload['action'])}` };
  const run = record(payload['workflow_run']);
  if (run?.['conclusion'] !== 'success') return { ignore: `workflow run concluded ${String(run?.['conclusion'])}` };
  const repo = repoOf(payload);
  if (!repo) return { ignore: 'workflow_run without a repository' };
  const tag = text(run['head_branch']);
  const m = tag ? VERSION_TAG.exec(tag) : null;
  if (!tag || !m) return { ignore: `workflow run on ${tag ?? '(no ref)'}, not on a release tag` };
  const sha = text(run['head_sha']);
  const full = `${repo.owner}/${repo.name}`;
  return decision(
    {
      build: {
        type: 'connector',
        connectorId: repo.name,
        repo: full,
        version: m[1] as string,
        tag,
        ...(sha && /^[0-9a-f]{40}$/.test(sha) ? { sha } : {}),
        trigger: `workflow ${text(run['name']) ?? 'run'} on ${tag}`,
      },
    },
    `build:workflow_run:${full.toLowerCase()}:${tag}`,
  );
}
