// Writes a benchmark's results (`<name>.json`, `<name>.md`) and rebuilds the index `bench/results/README.md`.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchReport } from './benchmark.js';
import { markdownTable } from './table.js';

export async function writeReport(resultsDir: string, report: BenchReport): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  const json = { name: report.name, title: report.title, date: report.date, summary: report.summary, ...report.data };
  await writeFile(join(resultsDir, `${report.name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(join(resultsDir, `${report.name}.md`), `${report.markdown.trimEnd()}\n`);
}

/** Index every `<name>.json` in the folder, so results of benchmarks not run this time stay listed. */
export async function writeIndex(resultsDir: string): Promise<void> {
  const rows: string[][] = [];
  for (const file of (await readdir(resultsDir)).filter((f) => f.endsWith('.json')).sort()) {
    try {
      const result = JSON.parse(await readFile(join(resultsDir, file), 'utf8')) as Partial<BenchReport>;
      const name = result.name ?? file.replace(/\.json$/, '');
      rows.push([
        `[${result.title ?? name}](${name}.md)`,
        result.date ?? '',
        result.summary ?? '',
        `[${name}.json](${name}.json)`,
      ]);
    } catch {
      rows.push([file, '', 'unreadable results file', '']);
    }
  }
  const page = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (`node --import tsx bench/run.ts [name…]`); do not edit by hand.',
    'Runs happen on a shared machine: absolute times are noisy, ratios measured in the same run are what matter.',
    '',
    markdownTable(['benchmark', 'date', 'summary', 'data'], rows),
    '',
  ].join('\n');
  await writeFile(join(resultsDir, 'README.md'), page);
}
