// Core benchmark: Cutter's next-version dry run vs the git-log floor, semantic-release and git-cliff at 1k/10k/100k commits.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { cutterContender, cutterMissing } from './core/cutter.js';
import { type CoreFixture, coreFixture } from './core/fixture.js';
import { floorArgs, floorContender } from './core/floor.js';
import { gitCliffContender, prepareGitCliff } from './core/git-cliff.js';
import { type CorePage, corePage } from './core/markdown.js';
import type { CoreSample } from './core/sample.js';
import { prepareSemanticRelease, semanticReleaseContender } from './core/semantic-release.js';
import { agreement, type SizeFigures, type TargetCheck, targetChecks, toolFigures } from './core/summary.js';
import type { BenchContext, BenchReport } from './lib/benchmark.js';
import { HISTORY_GENERATOR_VERSION } from './lib/conventional-history.js';
import { machineInfo } from './lib/machine.js';
import { gnuTimePath } from './lib/measure.js';
import { type Contender, runRounds } from './lib/rounds.js';

const DEFAULT_SIZES = [1_000, 10_000, 100_000];
/** A tool whose warm-up exceeds this runs once at that size (semantic-release at 100k), keeping the run to minutes. */
const SINGLE_RUN_ABOVE_MS = 30_000;
/**
 * Any single run longer than this is stopped and kept as a lower bound (semantic-release at 100k commits). 240 s
 * still proves "≥ 20× faster" whenever Cutter takes under 12 s, and keeps the whole run near ten minutes.
 */
const DEFAULT_TIME_LIMIT_S = 240;

/** Every contender, in the order they run; `--tools=floor,cutter` runs a subset (the peers take minutes at 100k). */
const TOOLS = ['floor', 'cutter', 'semantic-release', 'git-cliff'] as const;
type Tool = (typeof TOOLS)[number];

interface CoreOptions {
  sizes: number[];
  rounds: number | null;
  timeLimitS: number;
  tools: ReadonlySet<Tool>;
}

function options(args: readonly string[]): CoreOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      sizes: { type: 'string' },
      rounds: { type: 'string' },
      'time-limit': { type: 'string' },
      tools: { type: 'string' },
    },
    strict: false,
  });
  const sizes = typeof values.sizes === 'string' ? values.sizes.split(',').map((s) => Number(s.trim())) : DEFAULT_SIZES;
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--sizes must be a comma-separated list of positive integers, got ${String(values.sizes)}`);
  }
  const rounds = typeof values.rounds === 'string' ? Number(values.rounds) : null;
  if (rounds !== null && (!Number.isInteger(rounds) || rounds < 1)) {
    throw new Error(`--rounds must be a positive integer, got ${String(values.rounds)}`);
  }
  const limit = values['time-limit'];
  const timeLimitS = typeof limit === 'string' ? Number(limit) : DEFAULT_TIME_LIMIT_S;
  if (!Number.isFinite(timeLimitS) || timeLimitS <= 0) {
    throw new Error(`--time-limit must be a positive number of seconds, got ${String(limit)}`);
  }
  const tools = typeof values.tools === 'string' ? values.tools.split(',').map((t) => t.trim()) : [...TOOLS];
  const unknown = tools.filter((t) => !(TOOLS as readonly string[]).includes(t));
  if (unknown.length > 0 || !tools.includes('floor')) {
    throw new Error(`--tools must list floor and any of ${TOOLS.join(', ')}, got ${String(values.tools)}`);
  }
  return { sizes, rounds, timeLimitS, tools: new Set(tools as Tool[]) };
}

export async function run(context: BenchContext): Promise<BenchReport> {
  const { sizes, rounds, timeLimitS, tools: chosen } = options(context.args);
  const limits = { timeoutMs: timeLimitS * 1000 };
  const machine = await machineInfo();
  const gnuTime = (await gnuTimePath()) !== null;
  const missingCli = await cutterMissing(context.root);
  const notes: string[] = [];
  if (missingCli && chosen.has('cutter')) notes.push(`Cutter not measured: ${missingCli}.`);
  const skipped = TOOLS.filter((t) => !chosen.has(t));
  if (skipped.length > 0) notes.push(`Not run (--tools): ${skipped.join(', ')}.`);
  if (!gnuTime) context.progress('GNU time not found: peak RSS of the floor and peers will be null');
  let commands: Record<string, string> = {};
  const results: SizeFigures[] = [];

  for (const commits of sizes) {
    context.progress(`${commits} commits: preparing repository`);
    const fixture = await coreFixture(context.workDir, commits);
    context.progress(
      fixture.cached
        ? `${commits} commits: cached repository`
        : `${commits} commits: generated in ${fixture.generatedInSeconds} s`,
    );
    const contenders: Contender<CoreSample>[] = [floorContender(fixture, limits)];
    if (!missingCli && chosen.has('cutter')) contenders.push(cutterContender(fixture, context.root, limits));
    if (chosen.has('semantic-release')) {
      await prepareSemanticRelease(fixture);
      contenders.push(semanticReleaseContender(fixture, context.root, limits));
    }
    if (chosen.has('git-cliff')) {
      await prepareGitCliff(fixture, context.root);
      contenders.push(gitCliffContender(fixture, context.root, limits));
    }
    const plannedRounds = rounds ?? (commits >= 100_000 ? 3 : 5);
    const samples = await runRounds(
      contenders,
      { rounds: plannedRounds, singleRunAboveMs: SINGLE_RUN_ABOVE_MS },
      (line) => context.progress(`${commits} commits: ${line}`),
    );
    const floor = toolFigures('floor', samples.get('floor'), null);
    const tools = [
      floor,
      ...['cutter', 'semantic-release', 'git-cliff'].map((t) => toolFigures(t, samples.get(t), floor.medianMs)),
    ];
    const size: SizeFigures = { commits, expectedVersion: fixture.expectedVersion, tools, agreement: 'incomplete' };
    size.agreement = agreement(fixture.expectedVersion, tools);
    if (size.agreement === 'DISAGREE')
      context.progress(`${commits} commits: ⚠️ VERSIONS DISAGREE (expected ${fixture.expectedVersion})`);
    results.push(size);
    commands = commandLines(fixture);
  }

  const targetSize = results.find((s) => s.commits === 100_000) ?? results[results.length - 1];
  const targets = targetSize ? targetChecks(targetSize) : [];
  if (targetSize && targetSize.commits !== 100_000) {
    notes.push(`100k commits was not run: targets checked at ${targetSize.commits}.`);
  }
  notes.push(
    `Each run is stopped after ${timeLimitS} s (kept as a lower bound, shown with ≥); a tool whose warm-up took over ${SINGLE_RUN_ABOVE_MS / 1000} s runs once at that size.`,
    `Load average (1 min) at the end: ${Math.round((loadavg()[0] ?? 0) * 100) / 100} on ${machine.cpuCount} CPUs.`,
  );
  const page: CorePage = {
    date: new Date().toISOString(),
    machine,
    gnuTime,
    generatorVersion: HISTORY_GENERATOR_VERSION,
    sizes: results,
    targetsAt: targetSize?.commits ?? null,
    targets,
    commands,
    notes,
  };
  return {
    name: 'core',
    title: 'Core: next version vs git log, semantic-release, git-cliff',
    date: page.date,
    summary: summaryLine(results, targetSize, targets),
    data: { ...page },
    markdown: corePage(page),
  };
}

/** The exact command of each tool, for the method section. */
function commandLines(fixture: CoreFixture): Record<string, string> {
  return {
    floor: `git ${floorArgs(fixture).join(' ')} > /dev/null`,
    cutter: 'CUTTER_STATS_FILE=<tmp> node bin/cutter.js release --dry-run --json --cwd <repo>',
    'semantic-release':
      'semantic-release --dry-run --no-ci --branches main (.releaserc.json: commit-analyzer + release-notes-generator, preset conventionalcommits, repositoryUrl file://<bare clone>)',
    'git-cliff': 'git-cliff --config bench/work/core-<N>-g<v>/cliff.toml --bumped-version',
  };
}

/** One line for the results index: the headline at the target size, version agreement, targets met. */
function summaryLine(
  results: readonly SizeFigures[],
  at: SizeFigures | undefined,
  targets: readonly TargetCheck[],
): string {
  if (!at) return 'no sizes run';
  const cutter = at.tools.find((t) => t.tool === 'cutter');
  const versions = results.every((s) => s.agreement === 'agree')
    ? 'versions agree'
    : results.some((s) => s.agreement === 'DISAGREE')
      ? '⚠️ VERSIONS DISAGREE'
      : 'versions incomplete';
  const met = targets.filter((t) => t.met === true).length;
  return `${at.commits} commits: cutter ${cutter?.medianMs ?? '—'} ms (${cutter?.ratioToFloor ?? '—'}× the floor); ${versions}; targets met ${met}/${targets.length}`;
}
