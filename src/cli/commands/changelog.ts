// `cutter changelog`: add the next version's section to CHANGELOG.md (Keep a Changelog), idempotently.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { CutterError } from '../../core/errors.js';
import { earlyHeadLogOption } from '../early-head-log.js';
import { writeOut } from '../write-out.js';
import { checkDate } from './release.js';

interface ChangelogOptions {
  dryRun?: boolean;
  cwd: string;
  file: string;
  date?: string;
}

export function registerChangelog(program: Command): void {
  program
    .command('changelog')
    .description("Write or update CHANGELOG.md with the next version's section (Keep a Changelog)")
    .option('-n, --dry-run', 'print the updated changelog instead of writing it')
    .option('-C, --cwd <dir>', 'repository whose changelog to update', process.cwd())
    .option('-f, --file <path>', 'changelog file, relative to the repository root', 'CHANGELOG.md')
    .option('--date <YYYY-MM-DD>', 'release date of the new section (default: today, UTC)')
    .addHelpText(
      'after',
      `
Examples:
  $ cutter changelog                 add the next version to CHANGELOG.md (created if missing)
  $ cutter changelog --dry-run       show the result without writing
  $ cutter changelog -f docs/CHANGES.md

Running it twice for the same version changes nothing; everything else in the file is kept byte for byte.`,
    )
    .action(async (opts: ChangelogOptions) => {
      const { planLocalRelease } = await import('../local-release-plan.js');
      const { updateChangelog } = await import('../../core/changelog.js');
      const plan = await planLocalRelease({
        cwd: opts.cwd,
        keepAllCommits: true,
        ...earlyHeadLogOption(opts.cwd),
        ...(opts.date ? { date: checkDate(opts.date) } : {}),
      });
      const file = path.resolve(plan.root, opts.file);
      if (plan.nextVersion === null || plan.nextTag === null) {
        process.stderr.write(
          `Nothing to release since ${plan.lastTag?.tag ?? 'the beginning'}: ${opts.file} unchanged.\n`,
        );
        return;
      }
      const existing = await readExisting(file);
      const updated = updateChangelog(existing, {
        version: plan.nextVersion,
        tag: plan.nextTag,
        previousTag: plan.lastTag?.tag ?? null,
        date: plan.date,
        commits: plan.parsedCommits,
        ...(plan.repoUrl ? { repoUrl: plan.repoUrl } : {}),
      });
      if (opts.dryRun) {
        await writeOut(updated);
        return;
      }
      if (updated === existing) {
        await writeOut(`${opts.file} already has ${plan.nextVersion}: unchanged.\n`);
        return;
      }
      await writeFile(file, updated);
      await writeOut(`${opts.file}: added ${plan.nextVersion} (${plan.date}).\n`);
    });
}

async function readExisting(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CutterError('CUTTER_BAD_INPUT', `cannot read ${file}: ${(err as Error).message}`);
  }
}
