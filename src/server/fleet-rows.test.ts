import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../store/types.js';
import { fleetRow } from './fleet-rows.js';

function task(seq: number, status: TaskRecord['status'], data: Record<string, unknown>): TaskRecord {
  const at = `2026-11-2${seq}T10:00:00.000Z`;
  return {
    id: `t${seq}`,
    seq,
    kind: 'release',
    key: 'acme/connector-x',
    status,
    data,
    parentId: null,
    dedupeKey: null,
    step: status === 'failed' ? 'create-release' : 'notify',
    attempt: 1,
    stepsRun: 4,
    error: null,
    waitReason: null,
    runAfter: null,
    lockedBy: null,
    lockedUntil: null,
    leaseId: null,
    children: null,
    createdAt: at,
    updatedAt: at,
    finishedAt: at,
  };
}

const plan = {
  latest: { tag: 'v1.2.0', commit: 'abc' },
  next: '1.3.0',
  nextTag: 'v1.3.0',
  bump: 'minor',
  causes: [{ hash: 'abc1234def', header: 'feat: x', bump: 'minor', why: 'feat → minor' }],
  commitCount: 3,
};

describe('fleet rows', () => {
  it('shows a never-planned repository as unknown rather than up to date', () => {
    expect(fleetRow('connector-x', [], false)).toMatchObject({
      latestTag: null,
      nextVersion: null,
      plannedAt: null,
      lastRun: null,
    });
  });

  it('shows the plan of a dry run with the commits that cause the bump, and no last run', () => {
    const row = fleetRow('connector-x', [task(1, 'done', { dryRun: true, release: plan })], true);
    expect(row).toMatchObject({
      latestTag: 'v1.2.0',
      commitsSince: 3,
      nextTag: 'v1.3.0',
      bump: 'minor',
      lastRun: null,
      frozen: true,
    });
    expect(row.causes).toEqual([{ hash: 'abc1234', header: 'feat: x', why: 'feat → minor' }]);
  });

  it('counts a release finished after the plan as the new latest tag with nothing pending', () => {
    const tasks = [
      task(2, 'done', { release: { ...plan, released: { url: 'http://r' } } }),
      task(1, 'done', { dryRun: true, release: plan }),
    ];
    expect(fleetRow('connector-x', tasks, false)).toMatchObject({
      latestTag: 'v1.3.0',
      commitsSince: 0,
      nextVersion: null,
      lastRun: { taskId: 't2', status: 'done', url: 'http://r' },
    });
  });

  it('shows why a release waits at a gate (a freeze), with the plan still pending', () => {
    const waiting = { ...task(2, 'waiting', { release: plan }), waitReason: 'frozen: quarter close' };
    expect(fleetRow('connector-x', [waiting], true)).toMatchObject({
      nextTag: 'v1.3.0',
      lastRun: { taskId: 't2', status: 'waiting', waitReason: 'frozen: quarter close' },
      frozen: true,
    });
  });

  it('keeps the plan pending when the last run failed', () => {
    const row = fleetRow('connector-x', [task(2, 'failed', { release: plan })], false);
    expect(row).toMatchObject({
      latestTag: 'v1.2.0',
      nextTag: 'v1.3.0',
      lastRun: { status: 'failed', step: 'create-release' },
    });
  });

  it('reads causes stored as text lines by older tasks', () => {
    const row = fleetRow(
      'connector-x',
      [task(1, 'done', { dryRun: true, release: { ...plan, causes: ['abc1234 fix: y — fix → patch'] } })],
      false,
    );
    expect(row.causes).toEqual([{ hash: 'abc1234', header: 'fix: y', why: 'fix → patch' }]);
  });

  it('says why nothing would be released', () => {
    const row = fleetRow(
      'connector-x',
      [
        task(1, 'done', {
          dryRun: true,
          release: { latest: { tag: 'v1.2.0' } },
          skipped: { reason: 'no commits since v1.2.0' },
        }),
      ],
      false,
    );
    expect(row).toMatchObject({ skipped: 'no commits since v1.2.0', nextVersion: null });
  });
});
