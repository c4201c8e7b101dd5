// Reads a release task's data back as typed values, failing loudly when a step's input is not what it needs.

import type { CutterConfig } from '../config/schema.js';
import { CutterError } from '../core/errors.js';
import type { JsonObject } from '../workflow/types.js';
import type { ReleaseState, ReleaseTaskData, RepoRef } from './release-data.js';

export function taskData(data: Readonly<JsonObject>): ReleaseTaskData {
  return data as unknown as ReleaseTaskData;
}

export function repoOf(data: Readonly<JsonObject>): RepoRef {
  const repo = taskData(data).repo;
  if (!repo || typeof repo.owner !== 'string' || typeof repo.name !== 'string' || !repo.owner || !repo.name) {
    throw new CutterError('CUTTER_BAD_INPUT', 'a release task needs repo: { owner, name }', {
      hint: 'enqueue release tasks with data { repo: { owner: "acme", name: "connector-x" } }',
    });
  }
  return { owner: repo.owner, name: repo.name };
}

export function configOf(data: Readonly<JsonObject>): CutterConfig {
  const config = taskData(data).config;
  if (!config) throw new CutterError('CUTTER_INTERNAL', 'the repository configuration was not loaded before this step');
  const { source: _source, ...rest } = config;
  // `configPatch` leaves an empty package list out of the data.
  return { packages: [], ...rest } as unknown as CutterConfig;
}

export function releaseOf(data: Readonly<JsonObject>): ReleaseState {
  return taskData(data).release ?? {};
}

/** `head` is required from latest-tag on; load-config or classify set it. */
export function headOf(data: Readonly<JsonObject>): string {
  const head = releaseOf(data).head;
  if (!head) throw new CutterError('CUTTER_INTERNAL', 'release.head is missing: the commit to release is unknown');
  return head;
}
