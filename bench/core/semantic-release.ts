// Peer: semantic-release 24 in dry-run with only the commit analyzer and notes generator, offline against a bare clone.
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { timedSpawn } from '../lib/measure.js';
import type { Contender } from '../lib/rounds.js';
import type { CoreFixture } from './fixture.js';
import { type CoreSample, failure, type RunLimits, toolEnv } from './sample.js';

const RELEASERC = '.releaserc.json';

/**
 * Write `.releaserc.json` into the repository (and hide it from `git status`): no GitHub or npm plugin,
 * the conventionalcommits preset for both plugins, `main` as the release branch, the bare clone as remote.
 */
export async function prepareSemanticRelease(fixture: CoreFixture): Promise<void> {
  const preset = { preset: 'conventionalcommits' };
  const config = {
    branches: ['main'],
    repositoryUrl: pathToFileURL(fixture.remoteDir).href,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: semantic-release's own lodash-template placeholder.
    tagFormat: 'v${version}',
    plugins: [
      ['@semantic-release/commit-analyzer', preset],
      ['@semantic-release/release-notes-generator', preset],
    ],
  };
  await writeFile(join(fixture.repoDir, RELEASERC), `${JSON.stringify(config, null, 2)}\n`);
  const exclude = join(fixture.repoDir, '.git', 'info', 'exclude');
  const excluded = await readFile(exclude, 'utf8').catch(() => '');
  if (!excluded.split('\n').includes(RELEASERC)) await appendFile(exclude, `${RELEASERC}\n`);
}

/** "The next release version is 1.5.0" in semantic-release's log. */
export function semanticReleaseVersion(log: string): string | null {
  return /The next release version is (\S+)/.exec(log)?.[1] ?? null;
}

export function semanticReleaseContender(
  fixture: CoreFixture,
  root: string,
  limits: RunLimits = {},
): Contender<CoreSample> {
  const bin = join(root, 'node_modules', '.bin', 'semantic-release');
  return {
    name: 'semantic-release',
    async run() {
      const run = await timedSpawn(bin, ['--dry-run', '--no-ci', '--branches', 'main'], {
        cwd: fixture.repoDir,
        env: toolEnv(),
        captureStdout: true,
        timeoutMs: limits.timeoutMs,
      });
      const sample: CoreSample = {
        ms: run.ms,
        peakRssKb: run.peakRssKb,
        version: semanticReleaseVersion(run.stdout) ?? semanticReleaseVersion(run.stderr),
        timedOut: run.timedOut,
      };
      if (run.timedOut) return sample;
      if (run.exitCode !== 0) sample.error = failure(run.exitCode, run.stderr, run.stdout);
      else if (sample.version === null) sample.error = `no next version in its log: ${failure(0, run.stdout)}`;
      return sample;
    },
  };
}
