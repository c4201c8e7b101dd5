// The JSON a fleet task carries (seed 001's connectors path), step by step, and what the fleet's steps need.

import type { PlanEntry } from '../fleet/fleet-plan.js';
import type { DiscoveredRepo, FleetTag, GraphQLSpend, RepoConfigFile } from '../github/discover-repos.js';
import type { Notifier } from '../notify/notifier.js';
import type { Store } from '../store/types.js';
import type { ReleaseDeps } from './release-deps.js';

export const FLEET_TASK_KIND = 'fleet';

/** What a fleet run was asked to do (CLI flags, `POST /api/fleet`, or a control repo's push). */
export interface FleetRequest {
  org: string;
  /** Globs with `!` excludes; default `['connector-*']`. */
  patterns: string[];
  topics: string[];
  dryRun: boolean;
  /** Selected repos never tagged: release them (1.0.0 or the repo's firstRelease) or skip them. */
  neverReleased: 'release' | 'skip';
  /** Tag format the latest tag is picked with during discovery (the children read each repo's own config). */
  tagFormat: string;
  /** `summary`: one message for the run, children stay quiet; `each`: every child notifies as usual too. */
  notify: 'summary' | 'each';
  trigger: string;
}

/** What the tags step keeps per selected repo (the plan's input). */
export interface FleetRepoFacts {
  head: string | null;
  branch: string | null;
  archived: boolean;
  latest: FleetTag | null;
  excludedBy?: string;
  /** The config file read with discovery; `false` when it has none (a null would delete the key under the merge patch). */
  config?: RepoConfigFile | false;
}

export type FleetOutcome = 'released' | 'planned' | 'skipped' | 'failed' | 'cancelled';

export interface FleetSummaryRow {
  repo: string;
  outcome: FleetOutcome;
  /** Why it was skipped or failed, or what was released. */
  reason: string;
  latestTag: string | null;
  nextTag?: string | null;
  bump?: string | null;
  commitsSince?: number | null;
  url?: string;
  /** The child release task (for `cutter tasks show|retry`). */
  taskId?: string;
}

export interface FleetSummary {
  discovered: number;
  selected: number;
  candidates: number;
  released: number;
  planned: number;
  skipped: number;
  failed: number;
  rows: FleetSummaryRow[];
  notified?: Array<{ channel: string; ok: boolean; error?: string; skipped?: string }>;
}

/** Data of a task of kind `fleet`; the key is `fleet:<org>` (two runs on one org still serialize per repo below). */
export interface FleetTaskData {
  release: 'connectors';
  fleet: FleetRequest;
  /** list-repos → `{ request: [...] }`; filter → the selected repos. */
  repos?: { request: DiscoveredRepo[] } | DiscoveredRepo[];
  discovery?: { total: number; notSelected: number; graphql: GraphQLSpend };
  tags?: Record<string, FleetRepoFacts>;
  plan?: PlanEntry[];
  summary?: FleetSummary;
}

export interface FleetDeps extends ReleaseDeps {
  /** Where the one summary message of a run goes (default: none). */
  summaryNotifiers?: (request: FleetRequest) => Notifier[] | Promise<Notifier[]>;
  /** Lets the summary page through more than 500 children (the engine's `listChildren` returns one page). */
  store?: Pick<Store, 'listTasks'>;
}

export function fleetTaskKey(org: string): string {
  return `fleet:${org}`;
}

/** Defaults for the parts of a request a caller left out. */
export function fleetRequest(input: Partial<FleetRequest> & { org: string }): FleetRequest {
  return {
    org: input.org,
    patterns:
      input.patterns && input.patterns.length > 0 ? input.patterns : input.topics?.length ? [] : ['connector-*'],
    topics: input.topics ?? [],
    dryRun: input.dryRun ?? false,
    neverReleased: input.neverReleased ?? 'release',
    tagFormat: input.tagFormat ?? 'v{version}',
    notify: input.notify ?? 'summary',
    trigger: input.trigger ?? 'cutter fleet',
  };
}
