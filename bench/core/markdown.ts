// Renders the core benchmark's results page: figures per size, target checks, version agreement, method.
import { type MachineInfo, machineLine } from '../lib/machine.js';
import { markdownTable } from '../lib/table.js';
import type { SizeFigures, TargetCheck } from './summary.js';

export interface CorePage {
  date: string;
  machine: MachineInfo;
  gnuTime: boolean;
  generatorVersion: number;
  sizes: SizeFigures[];
  targetsAt: number | null;
  targets: TargetCheck[];
  commands: Record<string, string>;
  notes: string[];
}

const label = (commits: number): string =>
  commits >= 1000 && commits % 1000 === 0 ? `${commits / 1000}k` : String(commits);
const mark = (met: boolean | null): string => (met === null ? '— not measured' : met ? '✅ met' : '❌ missed');

export function corePage(page: CorePage): string {
  const rows = page.sizes.flatMap((size) =>
    size.tools.map((t) => [
      label(size.commits),
      t.tool,
      t.medianMs === null ? null : `${t.lowerBound ? '≥ ' : ''}${t.medianMs}`,
      t.ratioToFloor === null ? null : `${t.lowerBound ? '≥ ' : ''}${t.ratioToFloor}×`,
      t.runs,
      t.peakRssMb,
      t.gitPeakRssMb,
      t.version ?? (t.tool === 'floor' ? '' : t.versionsSeen ? `⚠️ ${t.versionsSeen.join(' / ')}` : null),
      [t.note, t.error ? `FAILED: ${t.error}` : undefined].filter(Boolean).join('; '),
    ]),
  );
  const disagreements = page.sizes.filter((s) => s.agreement === 'DISAGREE');
  const lines = [
    '# Core: next version from 1k / 10k / 100k conventional commits',
    '',
    `${page.date} — ${machineLine(page.machine)}.`,
    '',
    'Medians of interleaved runs after one warm-up (the machine is shared: absolute times are noisy, the ratios',
    'measured in the same run are what matter). Peak RSS from GNU time, except Cutter, which reports its own Node',
    'process and its git child separately (`CUTTER_STATS_FILE`).',
    '',
  ];
  if (disagreements.length > 0) {
    lines.push(
      `> ⚠️ **VERSIONS DISAGREE** at ${disagreements.map((s) => label(s.commits)).join(', ')} commits — see the version column.`,
      '',
    );
  }
  lines.push(
    markdownTable(
      ['commits', 'tool', 'median ms', '× floor', 'runs', 'peak RSS MB', 'git child RSS MB', 'version', 'note'],
      rows,
      ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
    ),
    '',
    `## Targets${page.targetsAt === null ? '' : ` at ${label(page.targetsAt)} commits`}`,
    '',
    markdownTable(
      ['target', 'measured', 'verdict'],
      page.targets.map((t) => [t.target, t.measured, mark(t.met)]),
    ),
    '',
    '## Versions',
    '',
    markdownTable(
      ['commits', 'expected', 'verdict'],
      page.sizes.map((s) => [
        label(s.commits),
        s.expectedVersion,
        s.agreement === 'DISAGREE' ? '⚠️ DISAGREE' : s.agreement,
      ]),
    ),
    '',
    '## How it was measured',
    '',
    `Repositories: \`bench/lib/conventional-history.ts\` (generator v${page.generatorVersion}, seeded) streamed into`,
    '`git fast-import`: one annotated tag `v1.4.2` on an initial commit, then N commits (feat/fix/perf/docs/chore/…',
    'with scopes, bodies, footers, `(#123)` suffixes, reverts, non-conventional subjects, no breaking change).',
    '',
    ...Object.entries(page.commands).map(([tool, command]) => `- **${tool}**: \`${command}\``),
    ...(page.gnuTime
      ? []
      : ['', '- GNU time (`/usr/bin/time`) was not available: peak RSS of the peers is not measured.']),
    ...(page.notes.length > 0 ? ['', '## Notes', '', ...page.notes.map((n) => `- ${n}`)] : []),
  );
  return lines.join('\n');
}
