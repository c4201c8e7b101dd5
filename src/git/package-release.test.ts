// Two packages in one repository released independently: their own tags, only their own commits.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { afterAll, describe, expect, it } from 'vitest';
import { commit as commitFlat, git, initRepo, removeTempDirs } from '../../test/support/temp-repo.js';
import { decideBump } from '../core/bump.js';
import { DEFAULT_BUMP_RULES } from '../core/bump-rules.js';
import { parseCommits } from '../core/commit-parse.js';
import { nextVersion } from '../core/next-version.js';
import { commitsForPackage, type PackageSpec, packageTag, packageTagVersion } from '../core/package-paths.js';
import { changedFilesByCommit } from './changed-files.js';
import { streamLog } from './log-stream.js';

afterAll(removeTempDirs);

function commit(dir: string, message: string, files: Record<string, string> = {}): string {
  for (const name of Object.keys(files)) mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  return commitFlat(dir, message, files);
}

/** The next version of `pkg`: commits since its own latest tag that touched its paths. */
async function nextForPackage(dir: string, pkg: PackageSpec): Promise<string | null> {
  const tags = git(dir, ['tag', '--list']).split('\n').filter(Boolean);
  const own = tags.flatMap((t) => {
    const v = packageTagVersion(pkg, t);
    return v === null ? [] : [{ t, v }];
  });
  const latest = own.sort((a, b) => semver.compare(a.v, b.v)).pop();
  const range = latest ? [`${latest.t}..HEAD`] : ['HEAD'];
  const files = await changedFilesByCommit(dir, range);
  const raws = [];
  for await (const c of streamLog(dir, range)) raws.push({ ...c, files: files.get(c.hash) ?? [] });
  const mine = commitsForPackage(raws, pkg);
  return nextVersion(latest?.v ?? null, decideBump(parseCommits(mine), DEFAULT_BUMP_RULES, latest?.v ?? null));
}

describe('a monorepo with two packages', () => {
  it('releases each package from its own commits and tags', async () => {
    const api: PackageSpec = { name: 'api', path: 'packages/api' };
    const web: PackageSpec = { name: 'web', path: 'packages/web', exclude: ['docs'] };
    const dir = initRepo();
    commit(dir, 'chore: start', { 'packages/api/index.ts': '1', 'packages/web/index.ts': '1' });
    git(dir, ['tag', packageTag(api, '1.0.0')]);
    git(dir, ['tag', packageTag(web, '2.3.0')]);

    commit(dir, 'feat: paging', { 'packages/api/page.ts': '1' });
    commit(dir, 'fix: typo in the web guide', { 'packages/web/docs/guide.md': '1' });
    commit(dir, 'feat!: drop IE support', { 'README.md': 'root only' });
    expect(await nextForPackage(dir, api)).toBe('1.1.0');
    expect(await nextForPackage(dir, web)).toBeNull();

    commit(dir, 'fix: button colour', { 'packages/web/button.ts': '1' });
    git(dir, ['tag', packageTag(api, '1.1.0')]);
    expect(await nextForPackage(dir, web)).toBe('2.3.1');
    expect(await nextForPackage(dir, api)).toBeNull();
  });
});
