// Step "dry-run-stop": a dry run ends here, with the plan (version, causes, notes) in the task's data and nothing written.

import type { Step } from '../workflow/types.js';
import type { ReleaseDeps } from './release-deps.js';

export const dryRunStopStep: Step<ReleaseDeps> = {
  name: 'dry-run-stop',
  when: { dryRun: true, release: { next: String, tagged: null } },
  effect: 'none',
  async run(ctx) {
    ctx.log('dry run: stopping before the tag');
    return { complete: true };
  },
};
