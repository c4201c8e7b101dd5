// Turns raw samples into per-tool figures, the version-agreement verdict and the target checks for the core benchmark.
import type { ContenderSamples } from '../lib/rounds.js';
import { maxOrNull, median, round } from '../lib/stats.js';
import type { CoreSample } from './sample.js';

export const PEERS = ['cutter', 'semantic-release', 'git-cliff'] as const;

export interface ToolFigures {
  tool: string;
  runs: number;
  medianMs: number | null;
  /** The run hit the time limit: `medianMs` and everything derived from it are lower bounds. */
  lowerBound?: boolean;
  samplesMs: number[];
  ratioToFloor: number | null;
  peakRssMb: number | null;
  /** Cutter only: its git child's peak RSS. */
  gitPeakRssMb?: number | null;
  /** The version computed (null for the floor, or when the tool failed). */
  version: string | null;
  /** Every distinct version seen across runs, when they differ (a flaky tool). */
  versionsSeen?: string[];
  note?: string;
  error?: string;
}

export interface SizeFigures {
  commits: number;
  expectedVersion: string;
  tools: ToolFigures[];
  /** `agree`: every peer computed the expected version; `DISAGREE`: one did not; `incomplete`: one was not measured. */
  agreement: 'agree' | 'DISAGREE' | 'incomplete';
}

const mb = (kb: number | null): number | null => (kb === null ? null : round(kb / 1024, 1));

export function toolFigures(
  tool: string,
  result: ContenderSamples<CoreSample> | undefined,
  floorMs: number | null,
): ToolFigures {
  if (!result)
    return { tool, runs: 0, medianMs: null, samplesMs: [], ratioToFloor: null, peakRssMb: null, version: null };
  const ok = result.samples.filter((s) => !s.error);
  const medianMs = ok.length > 0 ? round(median(ok.map((s) => s.ms))) : null;
  const versions = [...new Set(ok.map((s) => s.version).filter((v): v is string => v !== null))];
  const figures: ToolFigures = {
    tool,
    runs: ok.length,
    medianMs,
    samplesMs: ok.map((s) => round(s.ms)),
    ratioToFloor: medianMs !== null && floorMs ? round(medianMs / floorMs, 2) : null,
    peakRssMb: mb(maxOrNull(ok.map((s) => s.peakRssKb))),
    version: versions.length === 1 ? versions[0]! : null,
  };
  if (ok.some((s) => s.timedOut)) figures.lowerBound = true;
  if (tool === 'cutter') figures.gitPeakRssMb = mb(maxOrNull(ok.map((s) => s.gitPeakRssKb)));
  if (versions.length > 1) figures.versionsSeen = versions;
  if (result.note) figures.note = result.note;
  const failed = result.samples.find((s) => s.error);
  if (failed?.error) figures.error = failed.error;
  return figures;
}

export function agreement(expectedVersion: string, tools: readonly ToolFigures[]): SizeFigures['agreement'] {
  const peers = tools.filter((t) => (PEERS as readonly string[]).includes(t.tool));
  if (peers.some((t) => t.version !== null && t.version !== expectedVersion) || peers.some((t) => t.versionsSeen)) {
    return 'DISAGREE';
  }
  return peers.length === PEERS.length && peers.every((t) => t.version === expectedVersion) ? 'agree' : 'incomplete';
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

/** The issue's targets, checked at `size` (100k when it was run). */
export function targetChecks(size: SizeFigures): TargetCheck[] {
  const tool = (name: string): ToolFigures | undefined => size.tools.find((t) => t.tool === name);
  const cutter = tool('cutter');
  const sr = tool('semantic-release');
  const cliff = tool('git-cliff');
  const cutterMs = cutter?.medianMs ?? null;
  const checks: TargetCheck[] = [];
  const ratio = cutter?.ratioToFloor ?? null;
  checks.push({
    target: 'cutter ≤ 1.3× the floor',
    measured: ratio === null ? 'not measured' : `${cutter?.lowerBound ? '≥ ' : ''}${ratio}×`,
    met: ratio === null ? null : ratio <= 1.3 && !cutter?.lowerBound,
  });
  // A peer stopped at the time limit gives a lower bound on the speed-up: enough to say "met", never "missed".
  const speedupCheck = (target: string, peer: ToolFigures | undefined, atLeast: number): TargetCheck => {
    if (peer?.medianMs == null || !cutterMs || cutter?.lowerBound)
      return { target, measured: 'not measured', met: null };
    const value = peer.medianMs / cutterMs;
    const shown = `${round(value, value < 10 ? 2 : 1)}×`;
    if (peer.lowerBound) {
      return { target, measured: `≥ ${shown} (peer stopped at the time limit)`, met: value >= atLeast ? true : null };
    }
    return { target, measured: shown, met: atLeast === 1 ? value > 1 : value >= atLeast };
  };
  checks.push(speedupCheck('cutter ≥ 20× faster than semantic-release', sr, 20));
  checks.push(speedupCheck('cutter faster than git-cliff', cliff, 1));
  const rss = cutter?.peakRssMb ?? null;
  const gitRss = cutter?.gitPeakRssMb;
  checks.push({
    target: 'cutter peak RSS < 100 MB (its Node process)',
    measured: rss === null ? 'not measured' : `${rss} MB${gitRss != null ? ` (git child: ${gitRss} MB)` : ''}`,
    met: rss === null ? null : rss < 100,
  });
  checks.push({
    target: 'all tools compute the same version',
    measured: `${size.agreement} (expected ${size.expectedVersion})`,
    met: size.agreement === 'agree' ? true : size.agreement === 'DISAGREE' ? false : null,
  });
  return checks;
}
