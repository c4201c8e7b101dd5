// Starts the log of HEAD before the rest of the CLI loads, for the local commands whose plan reads it first.
import path from 'node:path';
import { type StartedLog, startLog } from '../git/log-stream.js';

export { giveWayToGit } from './give-way-to-git.js';

// Loading the command line (commander, the command table, the plan's modules) takes about 30 ms before a plan can
// start git. The plan of a local `release` or `changelog` reads the log of HEAD first thing (see
// `planLocalRelease`), so the entry starts it here, from the raw arguments, while the rest loads. Reading the
// arguments this early is only a guess at what commander will make of them: the plan adopts the log only for the
// directory commander parsed (`takeEarlyHeadLog`), and any other guess costs one git process, stopped at once.

/** The commands that plan a local release: their plan starts with the log of HEAD. */
const PLANNING_COMMANDS = new Set(['release', 'changelog']);

let early: { cwd: string; log: StartedLog } | null = null;

/**
 * For `cutter release …` and `cutter changelog …` on a local repository (`argv` as in process.argv), start the log
 * of HEAD in the directory `--cwd`/`-C` names (default the current one). Nothing for other commands, `--repo`
 * (a remote release) or help. True when it started one.
 */
export function startEarlyHeadLog(argv: readonly string[]): boolean {
  const cwd = localPlanCwd(argv.slice(2));
  if (cwd === null || early !== null) return false;
  early = { cwd, log: startLog(cwd, ['HEAD'], { dates: false }) };
  return true;
}

/** `takeEarlyHeadLog(cwd)` as the plan's `headLog` option: empty when there is none. */
export function earlyHeadLogOption(cwd: string): { headLog?: StartedLog } {
  const headLog = takeEarlyHeadLog(cwd);
  return headLog ? { headLog } : {};
}

/**
 * The log started by `startEarlyHeadLog` when it was for `cwd`, handed out once; otherwise null (and a log started
 * for another directory is stopped).
 */
export function takeEarlyHeadLog(cwd: string): StartedLog | null {
  const started = early;
  early = null;
  if (started === null) return null;
  if (started.cwd === path.resolve(cwd)) return started.log;
  started.log.cancel();
  return null;
}

/** The directory a local plan will run in, as far as the raw arguments tell; null when no plan is coming. */
function localPlanCwd(args: readonly string[]): string | null {
  if (!PLANNING_COMMANDS.has(args[0] ?? '')) return null;
  let cwd = process.cwd();
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg === '--repo' || arg.startsWith('--repo=') || arg === '-h' || arg === '--help') return null;
    // commander keeps the last of repeated options, and so does this.
    if (arg === '--cwd' || arg === '-C') {
      const value = args[i + 1];
      if (value === undefined) return null;
      cwd = value;
      i++;
    } else if (arg.startsWith('--cwd=')) cwd = arg.slice('--cwd='.length);
    else if (arg.startsWith('-C') && arg.length > 2) cwd = arg.slice(2);
  }
  return path.resolve(cwd);
}
