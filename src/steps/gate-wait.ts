// How long a release parked at a gate waits before it looks again: the gate's own horizon, capped by the poll.

import type { StepContext, StepOutcome } from '../workflow/types.js';
import type { ReleaseDeps } from './release-deps.js';

export const DEFAULT_GATE_POLL_MS = 60_000;

/** A wait outcome that re-checks at `until` or after the poll, whichever is sooner (an override may come first). */
export function gateWait(
  ctx: StepContext<ReleaseDeps>,
  reason: string,
  until?: string,
  patch?: StepOutcome['patch'],
): StepOutcome {
  const poll = ctx.now().getTime() + (ctx.deps.gatePollMs ?? DEFAULT_GATE_POLL_MS);
  const horizon = until ? Date.parse(until) : Number.NaN;
  const at = Number.isFinite(horizon) ? Math.min(horizon, poll) : poll;
  return { wait: { reason, until: new Date(at).toISOString() }, ...(patch ? { patch } : {}) };
}
