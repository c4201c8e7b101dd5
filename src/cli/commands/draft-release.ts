// `cutter draft-release <major|minor|patch|X.Y.Z> [--package NAME]`: open or update the release PR of a GitHub
// repository, or of one package of a monorepo.
import type { Command } from 'commander';
import { CutterError } from '../../core/errors.js';
import type { DraftReleaseResult } from '../../release-pr/draft-release.js';
import { writeOut } from '../write-out.js';
import { checkDate } from './release.js';

interface DraftReleaseOptions {
  from?: string;
  package?: string;
  repo?: string;
  cwd: string;
  apiUrl?: string;
  date?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerDraftRelease(program: Command): void {
  program
    .command('draft-release')
    .argument('<bump>', 'major, minor, patch, or the version itself (X.Y.Z)')
    .description('Open a draft release PR: branch release-vX.Y.Z with bumped version files, CHANGELOG.md and notes')
    .option('--from <version>', 'bump from this version instead of the latest release tag')
    .option(
      '--package <name>',
      'draft the release PR of this monorepo package (packages: in .cutter.yml) as PR mode does on push: branch release-<its tag>, its version files and its CHANGELOG.md, from the commits that touched it',
    )
    .option('--repo <owner/name>', 'the GitHub repository (default: the origin remote of --cwd)')
    .option('-C, --cwd <dir>', 'local clone whose origin names the repository', process.cwd())
    .option('--api-url <url>', 'GitHub API root (default GITHUB_API_URL, else api.github.com)')
    .option('--date <YYYY-MM-DD>', 'release date written to CHANGELOG.md (default: today, UTC)')
    .option('-n, --dry-run', 'show the version, branch, files and notes without writing anything')
    .option('--json', 'print the result as one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  $ cutter draft-release minor                    release PR for the next minor version of origin's repository
  $ cutter draft-release patch --from 1.2.2       bump from 1.2.2 (commits since its tag)
  $ cutter draft-release 2.0.0 --repo acme/api --dry-run
  $ cutter draft-release minor --package api      release PR release-api@X.Y.Z for the monorepo package api

Running it again updates the same branch and PR. Version files come from versionFiles in .cutter.yml, or with
--package from that package's versionFiles (its tags follow its tagFormat, {package}@{version} by default).
Merging the PR tags the merge commit with the version in the branch name and publishes the release.`,
    )
    .action(async (bump: string, opts: DraftReleaseOptions) => {
      const [
        { createGitHubClient },
        { readBranchHead },
        { readRepoConfig },
        { draftRelease },
        { configuredPackage, releasePrInput },
      ] = await Promise.all([
        import('../../github/client.js'),
        import('../../github/repo-api.js'),
        import('../../steps/repo-config.js'),
        import('../../release-pr/draft-release.js'),
        import('../../release-pr/release-pr-input.js'),
      ]);
      const repo = opts.repo !== undefined ? parseRepo(opts.repo) : await originRepo(opts.cwd);
      const date = opts.date ? checkDate(opts.date) : new Date().toISOString().slice(0, 10);
      const gh = await createGitHubClient({ ...(opts.apiUrl ? { baseUrl: opts.apiUrl } : {}) });
      const head = await readBranchHead(gh, repo);
      const { config } = await readRepoConfig(gh, repo, head.sha);
      // The package's PR is the one PR mode keeps for it on push: same input, same branch, title, files and notes.
      const pkg = opts.package !== undefined ? configuredPackage(config, opts.package, repo) : null;
      const result = await draftRelease(gh, {
        repo,
        request: bump,
        ...(opts.from !== undefined ? { from: opts.from.replace(/^v(?=\d)/, '') } : {}),
        ...releasePrInput(gh, repo, config, pkg),
        date,
        ...(opts.dryRun ? { dryRun: true } : {}),
      });
      await writeOut(opts.json ? `${JSON.stringify(result)}\n` : resultText(result));
    });
}

function resultText(r: DraftReleaseResult): string {
  const lines = [
    `${r.dryRun ? 'Would draft' : 'Drafted'} ${r.tag} (${r.previousTag ?? 'first release'} → ${r.version}, ${r.commits} commits) on ${r.branch} from ${r.base.branch}@${r.base.sha.slice(0, 7)}`,
    ...r.files.map((f) => `  ${f.changed ? (r.dryRun ? 'edit' : 'updated') : 'unchanged'} ${f.path}`),
  ];
  if (r.pr) lines.push(`${r.pr.created ? 'Opened' : 'Updated'} draft PR #${r.pr.number}: ${r.pr.url}`);
  if (r.dryRun) lines.push('', r.body.trimEnd());
  return `${lines.join('\n')}\n`;
}

function parseRepo(value: string): { owner: string; name: string } {
  const m = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})$/.exec(value.trim());
  if (!m?.[1] || !m[2]) {
    throw new CutterError('CUTTER_BAD_INPUT', `--repo ${JSON.stringify(value)} is not owner/name`, {
      hint: 'e.g. --repo acme/connector-x',
    });
  }
  return { owner: m[1], name: m[2] };
}

async function originRepo(cwd: string): Promise<{ owner: string; name: string }> {
  const { remoteWebUrl } = await import('../../git/repo-info.js');
  const url = await remoteWebUrl(cwd);
  const m = url ? /^https?:\/\/[^/]+\/([^/]+)\/([^/]+?)\/?$/.exec(url) : null;
  if (!m?.[1] || !m[2]) {
    throw new CutterError('CUTTER_BAD_INPUT', `cannot tell the GitHub repository of ${cwd} from its origin remote`, {
      hint: 'pass --repo owner/name',
    });
  }
  return parseRepo(`${m[1]}/${m[2]}`);
}
