// Step "checks-gate": the commit to tag must be green on every required check; red fails naming it, pending waits.

import { CutterError } from '../core/errors.js';
import { judgeRequiredChecks } from '../core/required-checks.js';
import { readCommitChecks } from '../github/commit-checks.js';
import type { Step } from '../workflow/types.js';
import { gateWait } from './gate-wait.js';
import { configOf, headOf, releaseOf, repoOf } from './release-context.js';
import type { ReleaseDeps } from './release-deps.js';

export const checksGateStep: Step<ReleaseDeps> = {
  name: 'checks-gate',
  when: { release: { next: String, checksCleared: null, tagged: null } },
  effect: 'none',
  async run(ctx) {
    const config = configOf(ctx.data);
    const release = releaseOf(ctx.data);
    const head = headOf(ctx.data);
    const required = config.checks?.required ?? [];
    const at = ctx.now().toISOString();
    if (required.length === 0) return { patch: { release: { checksCleared: { at, passed: [] } } } };
    const seen = await readCommitChecks(ctx.deps.github, repoOf(ctx.data), head);
    const verdict = judgeRequiredChecks(required, seen.statuses, seen.checkRuns);
    const short = head.slice(0, 7);
    if (verdict.state === 'red') {
      throw new CutterError(
        'CUTTER_REFUSED',
        `required check${verdict.failing.length > 1 ? 's' : ''} ${verdict.failing.join(', ')} failed on ${short}: not tagging ${release.nextTag ?? release.next}`,
        { hint: `fix forward with a new commit, or re-run the check and then \`cutter tasks retry ${ctx.taskId}\`` },
      );
    }
    if (verdict.state === 'pending') {
      const since = release.checksPendingSince ?? at;
      const timeoutMs = (config.checks?.timeoutMinutes ?? 60) * 60_000;
      const deadline = Date.parse(since) + timeoutMs;
      if (ctx.now().getTime() >= deadline) {
        // The wait clock ends with the timeout: a retry judges the checks again and, still pending, waits afresh.
        return {
          patch: { release: { checksPendingSince: null } },
          fail: new CutterError(
            'CUTTER_STEP_TIMEOUT',
            `required checks still pending on ${short} after ${config.checks?.timeoutMinutes ?? 60} min: ${verdict.pending.join(', ')}`,
            {
              hint: `see why CI has not reported; \`cutter tasks retry ${ctx.taskId}\` judges the checks again and waits for them anew`,
            },
          ),
        };
      }
      ctx.log(`waiting for ${verdict.pending.join(', ')}`);
      return gateWait(
        ctx,
        `waiting for required checks: ${verdict.pending.join(', ')}`,
        new Date(deadline).toISOString(),
        release.checksPendingSince ? undefined : { release: { checksPendingSince: since } },
      );
    }
    ctx.log(`required checks green on ${short}: ${verdict.passed.join(', ')}`);
    return { patch: { release: { checksCleared: { at, passed: verdict.passed } } } };
  },
};
