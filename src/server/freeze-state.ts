// The release freeze as the dashboard sets it: one key in the store's kv, every change audited.

import { freezeGateStep } from '../steps/freeze-gate.js';
import type { Store } from '../store/types.js';

export const FREEZE_KEY = 'cutter:freeze';

export interface FreezeState {
  frozen: boolean;
  reason: string | null;
  by: string | null;
  at: string | null;
}

export async function readFreeze(store: Store): Promise<FreezeState> {
  const entry = await store.kvGet(FREEZE_KEY);
  const value = (entry?.value ?? {}) as Partial<FreezeState>;
  return {
    frozen: value.frozen === true,
    reason: typeof value.reason === 'string' ? value.reason : null,
    by: typeof value.by === 'string' ? value.by : null,
    at: typeof value.at === 'string' ? value.at : null,
  };
}

/** Stores the new state and its audit line; `now` comes from the caller (routes use the request time). */
export async function writeFreeze(
  store: Store,
  change: { frozen: boolean; reason: string | null; by: string },
  now: Date,
): Promise<FreezeState> {
  const state: FreezeState = { ...change, at: now.toISOString() };
  await store.kvSet(FREEZE_KEY, state);
  await store.appendAudit({
    actor: change.by,
    action: change.frozen ? 'freeze.on' : 'freeze.off',
    target: 'releases',
    details: { reason: change.reason },
  });
  return state;
}

/**
 * The tasks parked at the freeze gate look again now instead of at their next re-check (a lifted freeze); a
 * window that still holds one parks it again. Returns how many were woken.
 */
export async function wakeFrozenTasks(store: Store, now: Date): Promise<number> {
  const parked: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listTasks({ status: 'waiting', limit: 500, ...(cursor ? { cursor } : {}) });
    for (const t of page.tasks) if (t.step === freezeGateStep.name) parked.push(t.id);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return store.wakeTasks(parked, now);
}

/** An admin's override of the freeze for one task: who, why, when (read by the freeze gate through its deps). */
export interface FreezeOverrideGrant {
  by: string;
  reason: string;
  at: string;
}

const overrideKey = (taskId: string) => `cutter:freeze-override:${taskId}`;

export async function readFreezeOverride(store: Store, taskId: string): Promise<FreezeOverrideGrant | null> {
  const value = (await store.kvGet(overrideKey(taskId)))?.value as Partial<FreezeOverrideGrant> | undefined;
  if (!value || typeof value.by !== 'string' || typeof value.reason !== 'string' || typeof value.at !== 'string') {
    return null;
  }
  return { by: value.by, reason: value.reason, at: value.at };
}

/** Lets one task through the freeze; the grant is audited (`freeze.override` on the task). */
export async function grantFreezeOverride(
  store: Store,
  grant: { taskId: string; by: string; reason: string },
  now: Date,
): Promise<FreezeOverrideGrant> {
  const value: FreezeOverrideGrant = { by: grant.by, reason: grant.reason, at: now.toISOString() };
  await store.kvSet(overrideKey(grant.taskId), value);
  await store.appendAudit({
    actor: grant.by,
    action: 'freeze.override',
    target: grant.taskId,
    details: { reason: grant.reason },
    at: value.at,
  });
  return value;
}
