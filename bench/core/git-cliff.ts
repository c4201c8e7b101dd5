// Peer: git-cliff `--bumped-version` with a conventional-commits config and the `v[0-9].*` tag pattern.
import { execFile } from 'node:child_process';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { timedSpawn } from '../lib/measure.js';
import type { Contender } from '../lib/rounds.js';
import type { CoreFixture } from './fixture.js';
import { type CoreSample, failure, type RunLimits, toolEnv } from './sample.js';

/** A config close to git-cliff's own conventional-commits default, grouping the same types Cutter groups. */
const CLIFF_TOML = `# Written by bench/core/git-cliff.ts for the core benchmark.
[changelog]
body = """
{% for group, commits in commits | group_by(attribute="group") %}
### {{ group | upper_first }}
{% for commit in commits %}- {% if commit.scope %}**{{ commit.scope }}:** {% endif %}{{ commit.message | upper_first }}
{% endfor %}{% endfor %}
"""
trim = true

[git]
conventional_commits = true
filter_unconventional = true
split_commits = false
protect_breaking_commits = true
filter_commits = false
tag_pattern = "v[0-9].*"
topo_order = false
sort_commits = "oldest"
commit_parsers = [
  { message = "^feat", group = "Features" },
  { message = "^fix", group = "Bug Fixes" },
  { message = "^perf", group = "Performance" },
  { message = "^docs", group = "Documentation" },
  { message = "^refactor", group = "Refactoring" },
  { message = "^revert", group = "Reverts" },
  { message = "^chore\\\\(deps\\\\)", group = "Dependencies" },
  { message = ".*", group = "Other" },
]

[bump]
features_always_bump_minor = true
breaking_always_bump_major = true
`;

/** Where the config lives: next to the repository, not inside it, so it cannot change what git sees. */
export function cliffConfigPath(fixture: CoreFixture): string {
  return join(fixture.repoDir, '..', 'cliff.toml');
}

/**
 * git-cliff is installed on demand into `bench/work/peers`, not as a devDependency: its npm wrapper lists one
 * optional binary package per platform, and a lockfile written where the registry lacks some of them makes
 * `npm ci` refuse to install anything. `npm install` tolerates missing optional binaries.
 */
export const GIT_CLIFF_VERSION = '2.14.2';

function peersDir(root: string): string {
  return join(root, 'bench', 'work', 'peers');
}

export function gitCliffBin(root: string): string {
  return join(peersDir(root), 'node_modules', '.bin', 'git-cliff');
}

/** Installs the pinned git-cliff when absent; reruns find it in place. */
export async function ensureGitCliff(root: string): Promise<string> {
  const bin = gitCliffBin(root);
  try {
    await access(bin);
    return bin;
  } catch {
    const dir = peersDir(root);
    await mkdir(dir, { recursive: true });
    process.stderr.write(`installing git-cliff@${GIT_CLIFF_VERSION} into ${dir} for the benchmark\n`);
    await promisify(execFile)(
      'npm',
      ['install', '--no-save', '--no-package-lock', '--prefix', dir, `git-cliff@${GIT_CLIFF_VERSION}`],
      { cwd: dir },
    );
    await access(bin);
    return bin;
  }
}

export async function prepareGitCliff(fixture: CoreFixture, root: string): Promise<void> {
  await ensureGitCliff(root);
  await writeFile(cliffConfigPath(fixture), CLIFF_TOML);
}

/** `v1.5.0` (or `1.5.0`) on git-cliff's stdout, as a bare version. */
export function gitCliffVersion(stdout: string): string | null {
  const last = stdout.trim().split('\n').pop() ?? '';
  return /^v?(\d+\.\d+\.\d+\S*)$/.exec(last.trim())?.[1] ?? null;
}

export function gitCliffContender(fixture: CoreFixture, root: string, limits: RunLimits = {}): Contender<CoreSample> {
  const bin = gitCliffBin(root);
  return {
    name: 'git-cliff',
    async run() {
      const run = await timedSpawn(bin, ['--config', cliffConfigPath(fixture), '--bumped-version'], {
        cwd: fixture.repoDir,
        env: toolEnv(),
        captureStdout: true,
        timeoutMs: limits.timeoutMs,
      });
      const sample: CoreSample = {
        ms: run.ms,
        peakRssKb: run.peakRssKb,
        version: gitCliffVersion(run.stdout),
        timedOut: run.timedOut,
      };
      if (run.timedOut) return sample;
      if (run.exitCode !== 0) sample.error = failure(run.exitCode, run.stderr, run.stdout);
      else if (sample.version === null) sample.error = `no version on stdout: ${run.stdout.slice(0, 200)}`;
      return sample;
    },
  };
}
