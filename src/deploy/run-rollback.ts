// Carry out a fix-forward rollback: plan from the history and what the target reports, re-deploy, return the record to keep.

import type { RollbackPlan, RolloutRecord } from './rollback.js';
import { planRollback } from './rollback.js';
import type { RolloutDriver, RolloutResult } from './rollout-driver.js';

export interface RollbackRun {
  plan: RollbackPlan;
  /** Null when there was nothing to roll back to. */
  result: RolloutResult | null;
  /** The record to append to the history (kind `rollback`) so metrics count it; null for dry runs and no-ops. */
  record: RolloutRecord | null;
}

export async function runRollback(
  driver: RolloutDriver,
  history: readonly RolloutRecord[],
  connectorId: string,
  options: { dryRun?: boolean; signal?: AbortSignal; now: () => string },
): Promise<RollbackRun> {
  // What the target runs beats what we recorded: a half-done roll-out may have left a newer image in place.
  const current = driver.current
    ? await driver.current(connectorId, options.signal ? { signal: options.signal } : {})
    : null;
  const plan = planRollback(history, connectorId, current ? { current } : {});
  if (plan.kind === 'nothing') return { plan, result: null, record: null };
  const result = await driver.rollout(
    { connectorId, image: plan.to, ...(plan.version ? { version: plan.version } : {}) },
    { ...(options.dryRun ? { dryRun: true } : {}), ...(options.signal ? { signal: options.signal } : {}) },
  );
  const record: RolloutRecord | null =
    result.outcome === 'dry-run'
      ? null
      : {
          connectorId,
          image: plan.to,
          ...(plan.version ? { version: plan.version } : {}),
          at: options.now(),
          kind: 'rollback',
          ok: true,
        };
  return { plan, result, record };
}
