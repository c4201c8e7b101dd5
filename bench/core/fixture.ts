// The core benchmark's fixture: a cached repository of N conventional commits after `v1.4.2`, plus a bare "origin".
import { join } from 'node:path';
import { generateHistory, HISTORY_GENERATOR_VERSION } from '../lib/conventional-history.js';
import { isolatedGitEnv, writeHistoryRepo } from '../lib/fast-import.js';
import { cachedFixture } from '../lib/repo-cache.js';
import { runCommand } from '../lib/run-command.js';

export interface CoreFixture {
  commits: number;
  /** The working repository every tool runs in. */
  repoDir: string;
  /** A bare clone set as the repository's `origin`, so semantic-release has a remote without any network. */
  remoteDir: string;
  baseTag: string;
  expectedVersion: string;
  kinds: Record<string, number>;
  /** Seconds it took to generate (0 when it came from the cache). */
  generatedInSeconds: number;
  cached: boolean;
}

interface FixtureMeta {
  expectedVersion: string;
  baseTag: string;
  kinds: Record<string, number>;
  generatedInSeconds: number;
}

export async function coreFixture(workDir: string, commits: number): Promise<CoreFixture> {
  const key = `core-${commits}-g${HISTORY_GENERATOR_VERSION}`;
  const fixture = await cachedFixture<FixtureMeta>(workDir, key, async (dir) => {
    const started = Date.now();
    const history = generateHistory({ commits });
    const repoDir = join(dir, 'repo');
    const remoteDir = join(dir, 'remote.git');
    await writeHistoryRepo(repoDir, history);
    const env = isolatedGitEnv();
    await runCommand('git', ['clone', '--quiet', '--bare', repoDir, remoteDir], { cwd: dir, env });
    await runCommand('git', ['remote', 'add', 'origin', remoteDir], { cwd: repoDir, env });
    await runCommand('git', ['fetch', '--quiet', 'origin'], { cwd: repoDir, env });
    await runCommand('git', ['branch', '--quiet', '--set-upstream-to=origin/main', 'main'], { cwd: repoDir, env });
    return {
      expectedVersion: history.expectedVersion,
      baseTag: `v${history.baseVersion}`,
      kinds: history.kinds,
      generatedInSeconds: Math.round((Date.now() - started) / 100) / 10,
    };
  });
  return {
    commits,
    repoDir: join(fixture.dir, 'repo'),
    remoteDir: join(fixture.dir, 'remote.git'),
    baseTag: fixture.meta.baseTag,
    expectedVersion: fixture.meta.expectedVersion,
    kinds: fixture.meta.kinds,
    generatedInSeconds: fixture.cached ? 0 : fixture.meta.generatedInSeconds,
    cached: fixture.cached,
  };
}
