// `cutter lint`: checks a message, a PR title or a range of commits against the configured commit convention.
import type { Command } from 'commander';
import type { LintProblem } from '../../core/commit-lint.js';
import { CutterError } from '../../core/errors.js';
import { writeOut } from '../write-out.js';

interface LintOptions {
  message?: string;
  prTitle?: string;
  from?: string;
  to?: string;
  cwd: string;
  json?: boolean;
}

interface Checked {
  /** Short sha for commits, `message` or `PR title` otherwise. */
  source: string;
  header: string;
  problems: LintProblem[];
}

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('Check commit messages or a PR title against the Conventional Commits rules in .cutter.yml')
    .option('-m, --message <text>', 'check this commit message')
    .option('--pr-title <text>', 'check a pull request title (what a squash merge will use as header)')
    .option('--from <ref>', 'check the commits after this ref (with --to)')
    .option('--to <ref>', 'last commit of the range (default HEAD)')
    .option('-C, --cwd <dir>', 'repository whose .cutter.yml and history are used', process.cwd())
    .option('--json', 'print the problems as one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  $ cutter lint --message "feat(api): add paging"
  $ cutter lint --pr-title "$PR_TITLE"
  $ cutter lint --from origin/main --to HEAD      every commit of a branch

Exits 1 when a message breaks a rule, printing the commit, the problem and a hint for each.`,
    )
    .action(async (opts: LintOptions) => {
      const chosen = [opts.message !== undefined, opts.prTitle !== undefined, opts.from !== undefined];
      if (chosen.filter(Boolean).length !== 1) {
        throw new CutterError('CUTTER_BAD_INPUT', 'say what to check: one of --message, --pr-title or --from', {
          hint: 'e.g. cutter lint --from origin/main --to HEAD',
        });
      }
      if (opts.to !== undefined && opts.from === undefined) {
        throw new CutterError('CUTTER_BAD_INPUT', '--to needs --from', { hint: 'e.g. --from v1.2.0 --to HEAD' });
      }
      const [{ loadConfig }, { lintMessage, lintRulesFromConfig }] = await Promise.all([
        import('../../config/load-config.js'),
        import('../../core/commit-lint.js'),
      ]);
      const { config } = await loadConfig(opts.cwd);
      const rules = lintRulesFromConfig(config);
      const checked: Checked[] = [];
      const check = (source: string, message: string) =>
        checked.push({ source, header: message.split('\n')[0] ?? '', problems: lintMessage(message, rules) });

      if (opts.message !== undefined) check('message', opts.message);
      else if (opts.prTitle !== undefined) {
        if (opts.prTitle.includes('\n')) {
          throw new CutterError('CUTTER_BAD_INPUT', 'a PR title is one line', { hint: 'pass only the title' });
        }
        check('PR title', opts.prTitle);
      } else {
        for (const c of await commitsBetween(opts.cwd, opts.from ?? '', opts.to ?? 'HEAD'))
          check(c.hash.slice(0, 7), c.message);
      }

      const failing = checked.filter((c) => c.problems.length > 0);
      if (opts.json) {
        await writeOut(`${JSON.stringify({ checked: checked.length, failing: failing.length, results: failing })}\n`);
      } else {
        const lines: string[] = [];
        for (const c of failing) {
          lines.push(`✗ ${c.source}: ${c.header}`);
          for (const p of c.problems) lines.push(`    ${p.rule}: ${p.message} — ${p.hint}`);
        }
        lines.push(
          failing.length === 0
            ? `✓ ${checked.length === 1 ? '1 message follows' : `${checked.length} messages follow`} the convention`
            : `${failing.length} of ${checked.length} message${checked.length === 1 ? '' : 's'} break the convention`,
        );
        await writeOut(`${lines.join('\n')}\n`);
      }
      if (failing.length > 0) process.exitCode = 1;
    });
}

/** Commits of `from..to`, oldest first; the refs are resolved to commits first so user input never reaches `git log`. */
async function commitsBetween(
  cwd: string,
  from: string,
  to: string,
): Promise<Array<{ hash: string; message: string }>> {
  const [{ runGit }, { streamLog }] = await Promise.all([
    import('../../git/run-git.js'),
    import('../../git/log-stream.js'),
  ]);
  const resolve = async (ref: string): Promise<string> => {
    const res = await runGit(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], {
      allowFailure: true,
    });
    const sha = res.stdout.trim();
    if (res.code !== 0 || !/^[0-9a-f]{40,64}$/.test(sha)) {
      throw new CutterError('CUTTER_BAD_INPUT', `${JSON.stringify(ref)} is not a commit in ${cwd}`, {
        hint: 'pass a branch, tag or sha that exists (fetch it first in CI)',
      });
    }
    return sha;
  };
  const [base, head] = await Promise.all([resolve(from), resolve(to)]);
  const out: Array<{ hash: string; message: string }> = [];
  for await (const c of streamLog(cwd, [`${base}..${head}`])) out.push({ hash: c.hash, message: c.message });
  return out.reverse();
}
