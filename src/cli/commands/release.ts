// `cutter release`: show (--dry-run) or cut the next release of a local repository: annotated tag, optional push.
import type { Command } from 'commander';
import { CutterError } from '../../core/errors.js';
import { writeOut } from '../write-out.js';

interface ReleaseOptions {
  dryRun?: boolean;
  json?: boolean;
  cwd: string;
  push?: string | boolean;
  date?: string;
  remote?: string;
}

export function registerRelease(program: Command): void {
  program
    .command('release')
    .description('Decide the next version from the commits since the last release tag, then tag it')
    .option(
      '-n, --dry-run',
      'only show the last tag, commits per type, the bump and why, the next version and the notes',
    )
    .option('--json', 'print the result as one JSON object')
    .option('-C, --cwd <dir>', 'repository to release', process.cwd())
    .option('--push [remote]', 'push the new tag to this remote (default origin)')
    .option('--date <YYYY-MM-DD>', 'release date used in the notes (default: today, UTC)')
    .addHelpText(
      'after',
      `
Examples:
  $ cutter release --dry-run                     explain what the next release would be
  $ cutter release --dry-run --json | jq .nextVersion
  $ cutter release --cwd ../connector-x          create the annotated tag locally
  $ cutter release --push                        create the tag and push it to origin
  $ cutter release --push upstream               … or to another remote

Without --dry-run an existing tag on the same commit is adopted; a tag on another commit is a conflict
(CUTTER_TAG_CONFLICT) and is never moved.`,
    )
    .action(async (opts: ReleaseOptions) => {
      const { planLocalRelease } = await import('../local-release-plan.js');
      const { planToJson, planToText } = await import('../plan-output.js');
      const remote = typeof opts.push === 'string' ? opts.push : 'origin';
      const plan = await planLocalRelease({ cwd: opts.cwd, ...(opts.date ? { date: checkDate(opts.date) } : {}) });
      if (opts.dryRun) {
        await writeOut(opts.json ? `${JSON.stringify({ dryRun: true, ...planToJson(plan) })}\n` : planToText(plan));
        return;
      }
      if (plan.nextVersion === null || plan.nextTag === null) {
        await writeOut(
          opts.json
            ? `${JSON.stringify({ dryRun: false, ...planToJson(plan), tag: null })}\n`
            : `${planToText(plan)}Nothing to release: no tag created.\n`,
        );
        return;
      }
      if (!plan.branchReleases) {
        throw new CutterError('CUTTER_REFUSED', `branch ${plan.branch} is not a release branch`, {
          hint: 'release from a configured branch (branches: in .cutter.yml) or use --dry-run',
        });
      }
      const { createAnnotatedTag, pushTag } = await import('../../git/tags.js');
      const created = await createAnnotatedTag(plan.root, plan.nextTag, plan.head, plan.notes ?? plan.nextTag);
      let pushed: string | null = null;
      if (opts.push) {
        await pushTag(plan.root, remote, plan.nextTag);
        pushed = remote;
      }
      if (opts.json) {
        await writeOut(`${JSON.stringify({ dryRun: false, ...planToJson(plan), tag: { ...created, pushed } })}\n`);
        return;
      }
      const verb = created.adopted ? 'Adopted existing tag' : 'Created tag';
      await writeOut(
        `${planToText(plan)}\n${verb} ${created.name} at ${created.commit.slice(0, 7)}${pushed ? `, pushed to ${pushed}` : ''}.\n`,
      );
    });
}

export function checkDate(date: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
    throw new CutterError('CUTTER_BAD_INPUT', `--date ${JSON.stringify(date)} is not a YYYY-MM-DD day`, {
      hint: 'pass e.g. --date 2026-11-25',
    });
  }
  return date;
}
