// Step "freeze-gate": right before the tag, a freeze (configured window or the manual switch) parks the release
// until it lifts; an override recorded on the task lets it through.

import { activeFreeze, type FreezeWindow } from '../core/freeze-window.js';
import type { Step } from '../workflow/types.js';
import { gateWait } from './gate-wait.js';
import { configOf, releaseOf, taskData } from './release-context.js';
import type { ReleaseDeps } from './release-deps.js';

export const freezeGateStep: Step<ReleaseDeps> = {
  name: 'freeze-gate',
  when: { release: { next: String, checksCleared: Object, freezeCleared: null, tagged: null } },
  effect: 'none',
  async run(ctx) {
    const config = configOf(ctx.data);
    const release = releaseOf(ctx.data);
    const now = ctx.now();
    const manual = ctx.deps.readFreezeSwitch ? await ctx.deps.readFreezeSwitch() : { frozen: false };
    const windows = (config.freeze?.windows ?? []) as FreezeWindow[];
    const freeze = activeFreeze(windows, now, {
      frozen: manual.frozen,
      ...(manual.reason ? { reason: manual.reason } : {}),
    });
    const at = now.toISOString();
    if (!freeze.frozen) return { patch: { release: { freezeCleared: { at } } } };
    const reason = freeze.reason ?? 'frozen';
    const override =
      taskData(ctx.data).overrideFreeze ??
      (ctx.deps.readFreezeOverride ? await ctx.deps.readFreezeOverride(ctx.taskId) : null);
    if (override) {
      ctx.log(`freeze "${reason}" overridden by ${override.by} at ${override.at}: ${override.reason}`);
      return {
        patch: {
          release: { freezeCleared: { at, overridden: { freeze: reason, by: override.by, reason: override.reason } } },
        },
      };
    }
    const lifts = freeze.until ? ` until ${freeze.until}` : ' until the freeze is lifted';
    ctx.log(`frozen (${reason}): ${release.nextTag ?? release.next} waits${lifts}`);
    return gateWait(ctx, `frozen: ${reason}${lifts}`, freeze.until);
  },
};
