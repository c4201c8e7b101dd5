// What one timed run of a tool in the core benchmark yields, and the environment every tool runs under.
import type { Sample } from '../lib/rounds.js';

export interface CoreSample extends Sample {
  /** Peak RSS of the tool's own process tree in kB (GNU time), or Cutter's own Node process from its stats file. */
  peakRssKb: number | null;
  /** Cutter only: peak RSS of its `git log` child, reported by Cutter itself. */
  gitPeakRssKb?: number | null;
  /** The next version the tool computed; null for the floor, which computes nothing. */
  version: string | null;
}

/** Limits every contender honours: a run longer than `timeoutMs` is killed and kept as a lower bound. */
export interface RunLimits {
  timeoutMs?: number;
}

/**
 * The same environment for every tool: no tokens (semantic-release must not reach for GitHub) and no CI
 * variables (it must not guess a CI branch or PR), so the run is offline and comparable.
 */
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/TOKEN|^CI$|^CI_|^GITHUB_|^GITLAB_|^BUILDKITE|^TRAVIS|^CIRCLE|^JENKINS|^BITBUCKET/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** A short, single-line reason from a failed run's output. */
export function failure(exitCode: number | null, stderr: string, stdout = ''): string {
  const text = (stderr.trim() || stdout.trim()).split('\n').slice(-3).join(' ').slice(-300);
  return `exit ${exitCode}: ${text}`;
}
