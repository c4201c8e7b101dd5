// Cutter itself: `node bin/cutter.js release --dry-run --json`, with its own memory figures from CUTTER_STATS_FILE.
import { access, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timedSpawn } from '../lib/measure.js';
import type { Contender } from '../lib/rounds.js';
import type { CoreFixture } from './fixture.js';
import { type CoreSample, failure, type RunLimits, toolEnv } from './sample.js';

/** Null when the CLI is built, else why Cutter cannot be measured yet. */
export async function cutterMissing(root: string): Promise<string | null> {
  try {
    await access(join(root, 'dist', 'cli', 'main.js'));
    return null;
  } catch {
    return 'dist/cli/main.js is missing: run `npm run build` (or the CLI does not exist yet)';
  }
}

/** The next version in `cutter release --dry-run --json` output, wherever the CLI nests it. */
export function nextVersionFromJson(output: unknown): string | null {
  if (output === null || typeof output !== 'object') return null;
  const record = output as Record<string, unknown>;
  for (const key of ['nextVersion', 'next_version']) {
    const value = record[key];
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object' && typeof (value as { version?: unknown }).version === 'string') {
      return (value as { version: string }).version;
    }
  }
  const next = record['next'];
  if (next && typeof next === 'object' && typeof (next as { version?: unknown }).version === 'string') {
    return (next as { version: string }).version;
  }
  for (const value of Object.values(record)) {
    const found = value && typeof value === 'object' && !Array.isArray(value) ? nextVersionFromJson(value) : null;
    if (found) return found;
  }
  return null;
}

interface CutterStats {
  maxRssKb?: number;
  gitPeakRssKb?: number;
}

let statsCounter = 0;

export function cutterContender(fixture: CoreFixture, root: string, limits: RunLimits = {}): Contender<CoreSample> {
  const bin = join(root, 'bin', 'cutter.js');
  return {
    name: 'cutter',
    async run() {
      statsCounter += 1;
      const statsFile = join(tmpdir(), `cutter-bench-stats-${process.pid}-${statsCounter}.json`);
      const run = await timedSpawn(
        process.execPath,
        [bin, 'release', '--dry-run', '--json', '--cwd', fixture.repoDir],
        {
          cwd: fixture.repoDir,
          env: toolEnv({ CUTTER_STATS_FILE: statsFile }),
          captureStdout: true,
          timeoutMs: limits.timeoutMs,
        },
      );
      let stats: CutterStats = {};
      try {
        stats = JSON.parse(await readFile(statsFile, 'utf8')) as CutterStats;
      } catch {
        // No stats file: fall back to GNU time's figure for the whole process tree.
      } finally {
        await rm(statsFile, { force: true });
      }
      const sample: CoreSample = {
        ms: run.ms,
        peakRssKb: typeof stats.maxRssKb === 'number' ? stats.maxRssKb : run.peakRssKb,
        gitPeakRssKb: typeof stats.gitPeakRssKb === 'number' ? stats.gitPeakRssKb : null,
        version: null,
        timedOut: run.timedOut,
      };
      if (run.timedOut) return sample;
      if (run.exitCode !== 0) {
        sample.error = failure(run.exitCode, run.stderr, run.stdout);
        return sample;
      }
      try {
        sample.version = nextVersionFromJson(JSON.parse(run.stdout));
        if (sample.version === null) sample.error = 'no next version in the JSON output';
      } catch {
        sample.error = `output is not JSON: ${run.stdout.slice(0, 200)}`;
      }
      return sample;
    },
  };
}
