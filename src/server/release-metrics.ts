// Delivery metrics from stored release tasks (pure): releases per week, lead time, change failure rate, time to restore.

import type { RolloutRecord } from '../deploy/rollback.js';
import { BEFORE_TARGET_STEPS, BUILD_TASK_KIND } from '../steps/rollout-data.js';
import type { TaskRecord } from '../store/types.js';

export interface MetricSet {
  releases: number;
  failures: number;
  rollbacks: number;
  /**
   * Roll-outs that failed before anything reached the target: an image `supply.require` refused, one that never
   * appeared in the registry, a build without a deploy config. Not change failures (see `outcomeOf`).
   */
  notDeployed: number;
  /** (failed tasks + rollbacks) / finished release tasks; null when nothing finished. */
  changeFailureRate: number | null;
  /** Median seconds from the first commit of a release (or, when unknown, its trigger) to the published release. */
  leadTimeSeconds: number | null;
  /** Median seconds from a failed release to the next successful one of the same repository. */
  timeToRestoreSeconds: number | null;
  /** Releases per ISO week (`2026-W48`), oldest first, covering the weeks asked for. */
  perWeek: Array<{ week: string; releases: number }>;
}

export interface ReleaseMetrics {
  generatedAt: string;
  weeks: number;
  /** Where lead time starts: the first commit when steps recorded it, else when the release was triggered. */
  leadTimeBasis: 'first-commit' | 'trigger' | 'mixed' | 'none';
  fleet: MetricSet;
  repos: Record<string, MetricSet>;
}

const DAY = 86_400_000;

/** ISO-8601 week label of a date (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / DAY + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

interface Outcome {
  repo: string;
  at: number;
  kind: 'release' | 'failure' | 'rollback' | 'not-deployed';
  leadMs: number | null;
  leadFrom: 'first-commit' | 'trigger' | null;
}

/**
 * A retried task's earlier failure is no longer in its status; `priorFailures` gives when each one happened and, when
 * known, at which step (from its step log), so a failure that was later fixed by a retry still counts and starts a
 * restore.
 */
export type PriorFailures = Readonly<Record<string, readonly (string | { at: string; step: string })[]>>;

function outcomesOf(task: TaskRecord, prior: PriorFailures): Outcome[] {
  if (task.data['dryRun'] === true) return [];
  const earlier: Outcome[] = (prior[task.id] ?? []).map((p) => ({
    repo: task.key,
    at: Date.parse(typeof p === 'string' ? p : p.at),
    kind: typeof p !== 'string' && stoppedBeforeTarget(task, p.step) ? 'not-deployed' : 'failure',
    leadMs: null,
    leadFrom: null,
  }));
  const last = outcomeOf(task);
  // The task's current failure is already its last outcome; count it once.
  const failed = last?.kind === 'failure' || last?.kind === 'not-deployed';
  const kept = last && failed ? earlier.filter((o) => o.at < last.at - 1) : earlier;
  return last ? [...kept, last] : kept;
}

/**
 * A change failure is a change that reached what runs and had to be fixed. A roll-out that failed before the target
 * was touched — above all an image `supply.require` refused, which is the gate doing its job — changed nothing that
 * runs and needs no restore, so it is counted apart (`notDeployed`), neither as a failure nor as a release; the
 * failed RolloutRecord it left is never what runs either. A failed driver call does count: the target may be
 * half-updated.
 */
function stoppedBeforeTarget(task: TaskRecord, step: string | null): boolean {
  return task.kind === BUILD_TASK_KIND && step !== null && BEFORE_TARGET_STEPS.includes(step);
}

function outcomeOf(task: TaskRecord): Outcome | null {
  if (!task.finishedAt) return null;
  const at = Date.parse(task.finishedAt);
  const release = (task.data['release'] ?? {}) as { released?: unknown; firstCommitAt?: unknown };
  if (task.data['rollback'] !== undefined || task.kind === 'rollback') {
    return { repo: task.key, at, kind: 'rollback', leadMs: null, leadFrom: null };
  }
  if (task.status === 'failed') {
    const kind = stoppedBeforeTarget(task, task.step) ? 'not-deployed' : 'failure';
    return { repo: task.key, at, kind, leadMs: null, leadFrom: null };
  }
  if (task.status !== 'done' || !release.released) return null;
  const first = typeof release.firstCommitAt === 'string' ? Date.parse(release.firstCommitAt) : Number.NaN;
  const from = Number.isFinite(first) ? first : Date.parse(task.createdAt);
  return {
    repo: task.key,
    at,
    kind: 'release',
    leadMs: Math.max(0, at - from),
    leadFrom: Number.isFinite(first) ? 'first-commit' : 'trigger',
  };
}

function weekLabels(now: Date, weeks: number): string[] {
  const labels: string[] = [];
  for (let i = weeks - 1; i >= 0; i--) {
    const label = isoWeek(new Date(now.getTime() - i * 7 * DAY));
    if (!labels.includes(label)) labels.push(label);
  }
  return labels;
}

function metricSet(outcomes: Outcome[], labels: string[]): MetricSet {
  const sorted = [...outcomes].sort((a, b) => a.at - b.at);
  const releases = sorted.filter((o) => o.kind === 'release');
  const failures = sorted.filter((o) => o.kind === 'failure').length;
  const rollbacks = sorted.filter((o) => o.kind === 'rollback').length;
  const notDeployed = sorted.filter((o) => o.kind === 'not-deployed').length;
  const restores: number[] = [];
  const brokenSince = new Map<string, number>();
  for (const o of sorted) {
    if (o.kind === 'not-deployed') continue;
    if (o.kind !== 'release') {
      if (!brokenSince.has(o.repo)) brokenSince.set(o.repo, o.at);
    } else if (brokenSince.has(o.repo)) {
      restores.push(o.at - (brokenSince.get(o.repo) as number));
      brokenSince.delete(o.repo);
    }
  }
  const counts = new Map(labels.map((l) => [l, 0]));
  for (const r of releases) {
    const label = isoWeek(new Date(r.at));
    if (counts.has(label)) counts.set(label, (counts.get(label) as number) + 1);
  }
  const finished = releases.length + failures;
  const lead = median(releases.map((r) => r.leadMs as number));
  const restore = median(restores);
  return {
    releases: releases.length,
    failures,
    rollbacks,
    notDeployed,
    changeFailureRate: finished === 0 ? null : (failures + rollbacks) / (finished + rollbacks),
    leadTimeSeconds: lead === null ? null : lead / 1000,
    timeToRestoreSeconds: restore === null ? null : restore / 1000,
    perWeek: labels.map((week) => ({ week, releases: counts.get(week) ?? 0 })),
  };
}

/** A rollback re-deployed an earlier image (fix-forward): it counts as a change failure and starts a restore. */
function rollbackOutcomes(records: readonly RolloutRecord[]): Outcome[] {
  return records
    .filter((r) => r.kind === 'rollback' && r.ok && Number.isFinite(Date.parse(r.at)))
    .map((r) => ({
      repo: r.repo ?? r.connectorId,
      at: Date.parse(r.at),
      kind: 'rollback',
      leadMs: null,
      leadFrom: null,
    }));
}

/**
 * `now` bounds the weekly series (the last `weeks` ISO weeks up to and including now's week); `rollouts` is the
 * roll-out history, whose rollbacks count next to failed tasks.
 */
export function releaseMetrics(
  tasks: readonly TaskRecord[],
  now: Date,
  weeks = 12,
  priorFailures: PriorFailures = {},
  rollouts: readonly RolloutRecord[] = [],
): ReleaseMetrics {
  const outcomes = [...tasks.flatMap((t) => outcomesOf(t, priorFailures)), ...rollbackOutcomes(rollouts)];
  const labels = weekLabels(now, weeks);
  const byRepo = new Map<string, Outcome[]>();
  for (const o of outcomes) byRepo.set(o.repo, [...(byRepo.get(o.repo) ?? []), o]);
  const bases = new Set(outcomes.map((o) => o.leadFrom).filter((b) => b !== null));
  return {
    generatedAt: now.toISOString(),
    weeks,
    leadTimeBasis: bases.size === 0 ? 'none' : bases.size > 1 ? 'mixed' : ([...bases][0] as 'first-commit' | 'trigger'),
    fleet: metricSet(outcomes, labels),
    repos: Object.fromEntries(
      [...byRepo].sort(([a], [b]) => a.localeCompare(b)).map(([r, o]) => [r, metricSet(o, labels)]),
    ),
  };
}
