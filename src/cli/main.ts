// The `cutter` command line: builds the program from the command table, runs it, and turns errors into one line.
import { writeFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isCutterError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { gitPeakRssKb } from '../git/child-stats.js';
import { registerChangelog } from './commands/changelog.js';
import { registerDemo } from './commands/demo.js';
import { registerDraftRelease } from './commands/draft-release.js';
import { registerFleet } from './commands/fleet.js';
import { registerLint } from './commands/lint.js';
import { registerRelease } from './commands/release.js';
import { registerRollout } from './commands/rollout.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerServe } from './commands/serve.js';
import { registerTasks } from './commands/tasks.js';
import { registerVerify } from './commands/verify.js';
import { exitQuietlyOnBrokenPipe } from './write-out.js';

/** Adds one sub-command to the program. Command modules keep heavy imports inside their action. */
export type CommandRegistration = (program: Command) => void;

/** Every sub-command, one line each: adding a command is adding a row. */
export const COMMANDS: readonly CommandRegistration[] = [
  registerRelease,
  registerChangelog,
  registerDraftRelease,
  registerLint,
  registerSandbox,
  registerServe,
  registerTasks,
  registerFleet,
  registerDemo,
  registerRollout,
  registerVerify,
];

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command('cutter')
    .description('Cut releases: the next semantic version, an annotated tag, release notes and a changelog.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  $ cutter release --dry-run            what would be released from this repository, and why
  $ cutter release --dry-run --json     the same as one JSON object
  $ cutter release --push               tag the next version and push the tag to origin
  $ cutter changelog                    add the next version's section to CHANGELOG.md

Errors print "CODE: message — hint" on stderr and exit 1 (2 for usage errors).
Set CUTTER_DEBUG=1 to see stack traces.`,
    );
  for (const register of COMMANDS) register(program);
  // Sub-commands inherit exitOverride only when set on each; do it once here.
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Run the CLI with `argv` (as in process.argv); resolves to the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Help and --version are "errors" to commander; commander has already printed its usage message.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return 0;
    }
    return EXIT_USAGE;
  }
  const debug = process.env['CUTTER_DEBUG'] === '1';
  if (isCutterError(err)) {
    process.stderr.write(`${redact(err.toLine())}\n`);
    if (debug && err.stack) process.stderr.write(`${redact(err.stack)}\n`);
    return err.code === 'CUTTER_BAD_INPUT' ? EXIT_USAGE : EXIT_FAILURE;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    `${redact(`CUTTER_INTERNAL: ${message} — this is a bug in cutter; rerun with CUTTER_DEBUG=1`)}\n`,
  );
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${redact(err.stack)}\n`);
  return EXIT_FAILURE;
}

/** For benchmarks: `CUTTER_STATS_FILE=path` receives our peak RSS and the git children's on exit. */
function writeStatsOnExit(): void {
  const file = process.env['CUTTER_STATS_FILE'];
  if (!file) return;
  process.on('exit', () => {
    const stats = { maxRssKb: process.resourceUsage().maxRSS, gitPeakRssKb: gitPeakRssKb() };
    try {
      writeFileSync(file, `${JSON.stringify(stats)}\n`);
    } catch {
      // Stats are best effort: never turn a good run into a failure.
    }
  });
}

/** True when this module is the process entry (via bin/cutter.js or `node dist/cli/main.js`). */
function isEntry(): boolean {
  const entry = process.argv[1] ?? '';
  return /(?:^|[\\/])(?:cutter(?:\.js)?|cli[\\/]main\.[jt]s)$/.test(entry);
}

if (isEntry()) {
  writeStatsOnExit();
  exitQuietlyOnBrokenPipe();
  // exitCode, not exit(): large JSON on a pipe must drain before the process ends.
  runCli(process.argv).then((code) => {
    process.exitCode = code;
  });
}
