import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../store/types.js';
import { isoWeek, releaseMetrics } from './release-metrics.js';

let seq = 0;
function task(
  over: Partial<TaskRecord> & { key: string; finishedAt: string; data?: Record<string, unknown> },
): TaskRecord {
  seq++;
  return {
    id: `t${seq}`,
    seq,
    kind: 'release',
    status: 'done',
    data: {},
    parentId: null,
    dedupeKey: null,
    step: null,
    attempt: 1,
    stepsRun: 5,
    error: null,
    waitReason: null,
    runAfter: null,
    lockedBy: null,
    lockedUntil: null,
    leaseId: null,
    children: null,
    createdAt: over.finishedAt,
    updatedAt: over.finishedAt,
    ...over,
  };
}
const released = (key: string, createdAt: string, finishedAt: string, extra: Record<string, unknown> = {}) =>
  task({ key, createdAt, finishedAt, data: { release: { released: { url: 'u' }, ...extra } } });
const failed = (key: string, finishedAt: string) => task({ key, finishedAt, status: 'failed' });

const NOW = new Date('2026-11-25T12:00:00Z');

describe('release metrics', () => {
  it('labels ISO weeks, including the turn of the year', () => {
    expect(isoWeek(new Date('2026-11-25T00:00:00Z'))).toBe('2026-W48');
    expect(isoWeek(new Date('2027-01-01T00:00:00Z'))).toBe('2026-W53');
    expect(isoWeek(new Date('2025-12-29T00:00:00Z'))).toBe('2026-W01');
  });

  it('counts releases per week for the fleet and per repository, ignoring dry runs', () => {
    const tasks = [
      released('acme/a', '2026-11-24T10:00:00Z', '2026-11-24T10:05:00Z'),
      released('acme/b', '2026-11-23T10:00:00Z', '2026-11-23T11:00:00Z'),
      released('acme/a', '2026-11-17T10:00:00Z', '2026-11-17T10:01:00Z'),
      task({ key: 'acme/a', finishedAt: '2026-11-24T09:00:00Z', data: { dryRun: true, release: { released: {} } } }),
    ];
    const m = releaseMetrics(tasks, NOW, 3);
    expect(m.fleet.perWeek).toEqual([
      { week: '2026-W46', releases: 0 },
      { week: '2026-W47', releases: 1 },
      { week: '2026-W48', releases: 2 },
    ]);
    expect(m.repos['acme/a']?.releases).toBe(2);
    expect(m.repos['acme/b']?.releases).toBe(1);
  });

  it('measures lead time from the first commit when the steps recorded it, else from the trigger', () => {
    const fromTrigger = releaseMetrics([released('acme/a', '2026-11-24T10:00:00Z', '2026-11-24T12:00:00Z')], NOW);
    expect(fromTrigger.fleet.leadTimeSeconds).toBe(7200);
    expect(fromTrigger.leadTimeBasis).toBe('trigger');
    const fromCommit = releaseMetrics(
      [released('acme/a', '2026-11-24T10:00:00Z', '2026-11-24T12:00:00Z', { firstCommitAt: '2026-11-23T12:00:00Z' })],
      NOW,
    );
    expect(fromCommit.fleet.leadTimeSeconds).toBe(86_400);
    expect(fromCommit.leadTimeBasis).toBe('first-commit');
  });

  it('rates change failures and measures time to restore per repository', () => {
    const tasks = [
      failed('acme/a', '2026-11-24T10:00:00Z'),
      failed('acme/a', '2026-11-24T10:30:00Z'),
      released('acme/a', '2026-11-24T10:40:00Z', '2026-11-24T11:00:00Z'),
      released('acme/b', '2026-11-24T10:40:00Z', '2026-11-24T11:00:00Z'),
      task({ key: 'acme/b', finishedAt: '2026-11-24T11:30:00Z', data: { rollback: { to: 'v1.0.0' } } }),
    ];
    const m = releaseMetrics(tasks, NOW);
    expect(m.repos['acme/a']?.timeToRestoreSeconds).toBe(3600);
    expect(m.repos['acme/a']?.changeFailureRate).toBeCloseTo(2 / 3);
    expect(m.repos['acme/b']?.rollbacks).toBe(1);
    expect(m.fleet.failures).toBe(2);
    expect(m.fleet.changeFailureRate).toBeCloseTo(3 / 5);
  });

  it('still counts a failure that a retry later fixed, and restores from it', () => {
    const retried = released('acme/a', '2026-11-24T10:00:00Z', '2026-11-24T10:30:00Z');
    const m = releaseMetrics([retried], NOW, 1, { [retried.id]: ['2026-11-24T10:10:00Z'] });
    expect(m.fleet).toMatchObject({ releases: 1, failures: 1, timeToRestoreSeconds: 1200 });
  });

  it('answers with empty figures, not zeros pretending to be data, when nothing finished', () => {
    const m = releaseMetrics([], NOW, 2);
    expect(m.fleet).toMatchObject({
      releases: 0,
      changeFailureRate: null,
      leadTimeSeconds: null,
      timeToRestoreSeconds: null,
    });
    expect(m.leadTimeBasis).toBe('none');
    expect(m.repos).toEqual({});
  });
});

describe('release metrics with the roll-out history', () => {
  it('counts recorded rollbacks as change failures and times the restore to the next release', () => {
    const tasks = [
      released('acme/x', '2026-11-24T09:00:00Z', '2026-11-24T09:10:00Z'),
      released('acme/x', '2026-11-24T12:00:00Z', '2026-11-24T12:10:00Z'),
    ];
    const rollouts = [
      {
        connectorId: 'x',
        repo: 'acme/x',
        image: 'ghcr.io/acme/x:1.0.0',
        at: '2026-11-24T10:00:00Z',
        kind: 'rollout' as const,
        ok: true,
      },
      {
        connectorId: 'x',
        repo: 'acme/x',
        image: 'ghcr.io/acme/x:0.9.0',
        at: '2026-11-24T11:00:00Z',
        kind: 'rollback' as const,
        ok: true,
      },
      // a failed rollback changed nothing: not counted
      {
        connectorId: 'x',
        repo: 'acme/x',
        image: 'ghcr.io/acme/x:0.8.0',
        at: '2026-11-24T11:30:00Z',
        kind: 'rollback' as const,
        ok: false,
      },
    ];
    const m = releaseMetrics(tasks, NOW, 4, {}, rollouts);
    expect(m.fleet).toMatchObject({ releases: 2, failures: 0, rollbacks: 1 });
    expect(m.fleet.changeFailureRate).toBeCloseTo(1 / 3);
    // rolled back at 11:00, good again with the release at 12:10
    expect(m.repos['acme/x']?.timeToRestoreSeconds).toBe(70 * 60);
    expect(releaseMetrics(tasks, NOW, 4).fleet.rollbacks).toBe(0);
  });
});

describe('release metrics with roll-outs stopped before the target', () => {
  const build = (finishedAt: string, step: string, status: TaskRecord['status'] = 'failed') =>
    task({ key: 'acme/x', kind: 'build', finishedAt, status, step, data: { build: {} } });

  it('counts a refused or missing image apart: not a change failure, and nothing to restore', () => {
    const tasks = [
      released('acme/x', '2026-11-24T09:00:00Z', '2026-11-24T09:10:00Z'),
      build('2026-11-24T09:20:00Z', 'image-policy'),
      build('2026-11-24T09:30:00Z', 'pin-image'),
      released('acme/x', '2026-11-24T10:00:00Z', '2026-11-24T10:10:00Z'),
    ];
    const m = releaseMetrics(tasks, NOW);
    expect(m.fleet).toMatchObject({ releases: 2, failures: 0, notDeployed: 2, timeToRestoreSeconds: null });
    expect(m.fleet.changeFailureRate).toBe(0);
  });

  it('still counts a roll-out the driver failed as a change failure (the target may be half-updated)', () => {
    const tasks = [
      released('acme/x', '2026-11-24T09:00:00Z', '2026-11-24T09:10:00Z'),
      build('2026-11-24T09:20:00Z', 'roll-out'),
      released('acme/x', '2026-11-24T10:00:00Z', '2026-11-24T10:20:00Z'),
    ];
    const m = releaseMetrics(tasks, NOW);
    expect(m.fleet).toMatchObject({ failures: 1, notDeployed: 0, timeToRestoreSeconds: 3600 });
  });

  it('tells an earlier refusal of a retried roll-out from an earlier driver failure by the step that failed', () => {
    const retried = build('2026-11-24T10:30:00Z', 'confirm', 'done');
    const m = releaseMetrics([retried], NOW, 1, {
      [retried.id]: [
        { at: '2026-11-24T10:00:00Z', step: 'image-policy' },
        { at: '2026-11-24T10:10:00Z', step: 'roll-out' },
      ],
    });
    expect(m.fleet).toMatchObject({ failures: 1, notDeployed: 1 });
  });
});
