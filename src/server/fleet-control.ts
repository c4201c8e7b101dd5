// A push to a fleet control repository (CUTTER_FLEET_CONTROL_REPO) starts a fleet run of its org (seed 001's
// `release: "connectors"`); pushes to every other repository stay single-repository releases.

import { CutterError } from '../core/errors.js';
import { parsePatternList } from '../fleet/repo-filter.js';
import { FLEET_TASK_KIND, type FleetTaskData, fleetRequest, fleetTaskKey } from '../steps/fleet-data.js';
import { EVENT_TASKS, type EventDecision, type EventToTask, pushToReleaseTask } from './event-tasks.js';

export interface FleetControlOptions {
  /** `owner/name` of the control repositories (comma-separated in CUTTER_FLEET_CONTROL_REPO). */
  repos: readonly string[];
  /** Which repositories of the org form the fleet (CUTTER_FLEET_PATTERN; default `connector-*`). */
  pattern?: string | undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
const record = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** `acme/cutter-control, acme/other` → normalized full names; a malformed entry is a startup error. */
export function parseControlRepos(value: string | undefined): string[] {
  if (!value?.trim()) return [];
  return value.split(',').map((entry) => {
    const name = entry.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/.test(name)) {
      throw new CutterError('CUTTER_BAD_INPUT', `CUTTER_FLEET_CONTROL_REPO: "${name}" is not owner/name`, {
        hint: 'e.g. CUTTER_FLEET_CONTROL_REPO=acme/cutter-control',
      });
    }
    return name.toLowerCase();
  });
}

/** The push row of the event table, turning a push to a control repo's default branch into a fleet run. */
export function controlPushToTask(options: FleetControlOptions): EventToTask {
  const control = new Set(options.repos.map((r) => r.toLowerCase()));
  const patterns = options.pattern ? parsePatternList(options.pattern) : [];
  return (payload): EventDecision => {
    const decision = pushToReleaseTask(payload); // validates the payload the same way for both kinds
    const repository = record(payload['repository']);
    const owner = text(record(repository?.['owner'])?.['login']) ?? text(record(repository?.['owner'])?.['name']);
    const name = text(repository?.['name']);
    if (!owner || !name || !control.has(`${owner}/${name}`.toLowerCase())) return decision;
    const branch = text(repository?.['default_branch']) ?? 'main';
    const ref = text(payload['ref']);
    const after = text(payload['after']);
    if (ref !== `refs/heads/${branch}` || payload['deleted'] === true || !after) {
      return {
        ignore: `push to ${ref ?? '?'} of control repository ${owner}/${name}: only ${branch} starts a fleet run`,
      };
    }
    const sender = text(record(payload['sender'])?.['login']) ?? text(record(payload['pusher'])?.['name']);
    const data: FleetTaskData = {
      release: 'connectors',
      fleet: fleetRequest({
        org: owner,
        patterns,
        trigger: `push to ${owner}/${name}${sender ? ` by @${sender}` : ''}`,
      }),
    };
    return {
      task: {
        kind: FLEET_TASK_KIND,
        key: `${fleetTaskKey(owner)}:${after.slice(0, 12)}`,
        data: data as unknown as Record<string, unknown>,
        // A repo hook and an org hook deliver one push twice: still one fleet run.
        dedupeKey: `push:fleet:${owner}/${name}:${ref}:${after}`.toLowerCase(),
      },
    };
  };
}

/** The server's event table: the default one, with the push row aware of control repositories when any are set. */
export function eventTasksWithControl(options: FleetControlOptions): Readonly<Record<string, EventToTask>> {
  return options.repos.length === 0 ? EVENT_TASKS : { ...EVENT_TASKS, push: controlPushToTask(options) };
}
