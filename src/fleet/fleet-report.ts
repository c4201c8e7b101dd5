// Renders a fleet run for people: the live progress line, the plan/summary table, and the closing counts.

import type { FleetSummary, FleetSummaryRow } from '../steps/fleet-data.js';
import type { FleetProgress } from './run-fleet.js';

function duration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `discovered 60 · planned 30 · released 12 · skipped 10 · failed 0 · ETA 25s` with a bar once planned. */
export function progressLine(p: FleetProgress, width = 20): string {
  const finished = p.planned - p.pending;
  const bar =
    p.planned > 0
      ? `[${'#'.repeat(Math.round((finished / p.planned) * width)).padEnd(width, '.')}] ${finished}/${p.planned} `
      : '';
  const eta = p.etaMs !== null && p.pending > 0 ? ` · ETA ≥ ${duration(p.etaMs)} (write budget)` : '';
  return `${bar}discovered ${p.discovered} · planned ${p.planned} · released ${p.released} · skipped ${p.skipped} · failed ${p.failed}${eta}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const ORDER: Record<string, number> = { failed: 0, cancelled: 0, released: 1, planned: 1, skipped: 2 };

/** One line per selected repository: repo, outcome, latest tag, commits since, bump, next version, reason. */
export function summaryTable(rows: readonly FleetSummaryRow[]): string {
  const sorted = [...rows].sort(
    (a, b) => (ORDER[a.outcome] ?? 3) - (ORDER[b.outcome] ?? 3) || a.repo.localeCompare(b.repo),
  );
  return table(
    ['repo', 'outcome', 'latest tag', 'commits', 'bump', 'next', 'reason'],
    sorted.map((r) => [
      r.repo,
      r.outcome,
      r.latestTag ?? '-',
      r.commitsSince === null || r.commitsSince === undefined ? '-' : String(r.commitsSince),
      r.bump ?? '-',
      r.nextTag ?? '-',
      r.reason.replace(/\s+/g, ' ').slice(0, 100),
    ]),
  );
}

export function summaryCounts(s: FleetSummary, dryRun: boolean): string {
  const done = dryRun ? `${s.planned} would be released` : `${s.released} released`;
  return `${s.discovered} repositories, ${s.selected} selected: ${done}, ${s.skipped} skipped, ${s.failed} failed`;
}
