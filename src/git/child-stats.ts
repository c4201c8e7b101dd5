// Records the peak resident memory of the git children we spawn, for benchmarks (`CUTTER_STATS_FILE`).
import { readFileSync } from 'node:fs';

let peakKb = 0;

/** Remember a git child's peak RSS in kB; the registry keeps the highest seen. */
export function recordGitPeakRss(kb: number): void {
  if (Number.isFinite(kb) && kb > peakKb) peakKb = kb;
}

/** The highest peak RSS (kB) of any git child recorded so far; 0 when none was measured. */
export function gitPeakRssKb(): number {
  return peakKb;
}

/** Look at a live git child's peak RSS now and record it (nothing once it has exited). */
export function sampleGitPeakRss(pid: number): void {
  const kb = readPeakRssKb(pid);
  if (kb !== null) recordGitPeakRss(kb);
}

/** True when the peaks are wanted (`CUTTER_STATS_FILE` names where they go): sampling costs reads of /proc. */
export function gitPeakRssWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env['CUTTER_STATS_FILE']);
}

/** Test hook: forget what was recorded. */
export function resetGitPeakRss(): void {
  peakKb = 0;
}

/**
 * Read `VmHWM` (peak RSS) of a live process from `/proc/<pid>/status`. Linux only: returns null where
 * /proc is missing, or once the process has exited (a zombie has no memory lines).
 */
export function readPeakRssKb(pid: number): number | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return null;
  }
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) : null;
}
