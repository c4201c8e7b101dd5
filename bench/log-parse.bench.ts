// Log parsing hot path: NulFieldSplitter and the parsers built on it, against a bare scan for NUL bytes.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ChangedFilesParser } from '../src/git/changed-files.js';
import { GitLogParser, LOG_FORMAT_NO_DATE } from '../src/git/log-parser.js';
import { NulFieldSplitter } from '../src/git/nul-field-splitter.js';
import { coreFixture } from './core/fixture.js';
import type { BenchContext, BenchReport } from './lib/benchmark.js';
import { machineInfo } from './lib/machine.js';
import { median, round } from './lib/stats.js';
import { markdownTable } from './lib/table.js';

const COMMITS = 100_000;
const ROUNDS = 7;
/** What a pipe hands Node at a time. */
const CHUNK = 65_536;

function chunked(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) out.push(Buffer.from(bytes.subarray(i, i + CHUNK)));
  return out;
}

/** CPU milliseconds of `fn`, medians of interleaved rounds after one warm-up. */
function measure(contenders: Record<string, () => number>): Record<string, { ms: number; out: number }> {
  const samples: Record<string, number[]> = {};
  const outs: Record<string, number> = {};
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [name, fn] of Object.entries(contenders)) {
      const before = process.cpuUsage();
      outs[name] = fn();
      const used = process.cpuUsage(before);
      if (round === 0) continue;
      const list = samples[name] ?? [];
      list.push((used.user + used.system) / 1000);
      samples[name] = list;
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([n, s]) => [n, { ms: median(s), out: outs[n] ?? 0 }]));
}

export async function run(context: BenchContext): Promise<BenchReport> {
  const fixture = await coreFixture(context.workDir, COMMITS);
  const git = (args: string[]) =>
    promisify(execFile)('git', args, { cwd: fixture.repoDir, encoding: 'buffer', maxBuffer: 1 << 30 });
  context.progress('capturing git log output');
  const range = `${fixture.baseTag}..HEAD`;
  const log = chunked((await git(['log', '-z', `--format=${LOG_FORMAT_NO_DATE}`, range, '--'])).stdout);
  const files = chunked(
    (await git(['log', '-z', '--name-only', '--no-renames', '--format=%x00%H', range, '--'])).stdout,
  );
  const bytes = log.reduce((n, c) => n + c.length, 0);
  const results = measure({
    'floor: Buffer.indexOf over every NUL': () => {
      let n = 0;
      for (const c of log) for (let i = c.indexOf(0); i !== -1; i = c.indexOf(0, i + 1)) n++;
      return n;
    },
    'NulFieldSplitter: fields': () => {
      const splitter = new NulFieldSplitter();
      let n = 0;
      for (const c of log) splitter.push(c, () => n++);
      return n;
    },
    'GitLogParser: commits': () => {
      const parser = new GitLogParser({ dates: false });
      let n = 0;
      for (const c of log) n += parser.push(c).length;
      return n;
    },
    'ChangedFilesParser: commits (its own output)': () => {
      const parser = new ChangedFilesParser();
      let n = 0;
      for (const c of files) n += parser.push(c).length;
      return n + parser.end().length;
    },
  });
  const floor = results['floor: Buffer.indexOf over every NUL']!.ms;
  const rows = Object.entries(results).map(([name, r]) => [
    name,
    round(r.ms),
    round(r.ms / floor, 2),
    r.out,
    round(bytes / 1e6 / (r.ms / 1000), 0),
  ]);
  const machine = await machineInfo();
  const date = new Date().toISOString();
  const parserMs = results['GitLogParser: commits']!.ms;
  return {
    name: 'log-parse',
    title: 'Log parsing: NUL field splitting at 100k commits',
    date,
    summary: `GitLogParser ${round(parserMs)} ms CPU for ${COMMITS / 1000}k commits (${round(bytes / 1e6)} MB), ${round(parserMs / floor, 2)}× a bare NUL scan`,
    data: { commits: COMMITS, bytes, chunk: CHUNK, rounds: ROUNDS, results, machine },
    markdown: [
      '# Log parsing: NUL field splitting at 100k commits',
      '',
      `${date} — ${JSON.stringify(machine)}`,
      '',
      `In-process CPU time (median of ${ROUNDS} interleaved rounds after a warm-up) to parse the captured`,
      `\`git log -z\` output of the core benchmark's ${COMMITS / 1000}k-commit repository (${round(bytes / 1e6)} MB)`,
      `in ${CHUNK / 1024} KiB chunks, as a pipe delivers it. The floor only finds the NUL bytes.`,
      '',
      markdownTable(['parser', 'CPU ms', '× floor', 'records', 'MB/s'], rows, ['l', 'r', 'r', 'r', 'r']),
      '',
    ].join('\n'),
  };
}
