// The floor: the `git log` every tool must at least do, with its output thrown away.

import { timedSpawn } from '../lib/measure.js';
import type { Contender } from '../lib/rounds.js';
import type { CoreFixture } from './fixture.js';
import { type CoreSample, failure, type RunLimits, toolEnv } from './sample.js';

export function floorArgs(fixture: CoreFixture): string[] {
  return ['log', '--format=%H%x00%B%x00', `${fixture.baseTag}..HEAD`];
}

export function floorContender(fixture: CoreFixture, limits: RunLimits = {}): Contender<CoreSample> {
  return {
    name: 'floor',
    async run() {
      const run = await timedSpawn('git', floorArgs(fixture), {
        cwd: fixture.repoDir,
        env: toolEnv(),
        timeoutMs: limits.timeoutMs,
      });
      const sample: CoreSample = { ms: run.ms, peakRssKb: run.peakRssKb, version: null, timedOut: run.timedOut };
      if (run.timedOut) return sample;
      if (run.exitCode !== 0) sample.error = failure(run.exitCode, run.stderr);
      return sample;
    },
  };
}
