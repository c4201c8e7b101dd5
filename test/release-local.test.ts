import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './support/ensure-built.js';
import { runCutter } from './support/run-cutter.js';
import { commit, git, initRepo, removeTempDirs, repoWithCommits, tempDir } from './support/temp-repo.js';

beforeAll(ensureBuilt);
afterAll(removeTempDirs);

interface DryRunJson {
  lastTag: { tag: string; version: string; commit: string } | null;
  foreignTags: string[];
  commits: {
    total: number;
    byType: Record<string, number>;
    nonConventional: number;
    skipped: number;
    ignoredAuthors: number;
  };
  bump: string | null;
  causes: { hash: string; header: string; why: string }[];
  nextVersion: string | null;
  nextTag: string | null;
  notes: string | null;
  repository: { branch: string | null; head: string };
}

async function dryRunJson(dir: string): Promise<DryRunJson> {
  const res = await runCutter(['release', '--dry-run', '--json', '--cwd', dir, '--date', '2026-11-25']);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout) as DryRunJson;
}

describe('cutter release --dry-run', () => {
  it('prints the last tag, commits per type, the bump with its causes, the next version and the notes', async () => {
    const dir = initRepo();
    commit(dir, 'feat: first feature');
    git(dir, ['tag', 'v1.2.0']);
    const feat = commit(dir, 'feat(api): add the export endpoint (#42)');
    commit(dir, 'fix(ui): align the table\n\nRefs: #7\n');
    commit(dir, 'docs: explain exports');
    commit(dir, 'updated stuff');
    const res = await runCutter(['release', '--dry-run', '--date', '2026-11-25'], { cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Last tag:      v1.2.0 (1.2.0 at');
    expect(res.stdout).toContain('Commits:       4 since v1.2.0');
    expect(res.stdout).toMatch(/by type: +docs 1, feat 1, fix 1/);
    expect(res.stdout).toContain('non-conventional 1');
    expect(res.stdout).toContain('Bump:          minor, caused by:');
    expect(res.stdout).toContain(`${feat.slice(0, 7)} feat(api): add the export endpoint (#42) — feat → minor`);
    expect(res.stdout).toContain('Next version:  1.3.0 (tag v1.3.0)');
    expect(res.stdout).toMatch(/## \[?1\.3\.0/);
    expect(res.stdout).toContain('### Features');
    expect(res.stdout).toContain('**api:** add the export endpoint');
    expect(git(dir, ['tag'])).toBe('v1.2.0'); // a dry run changes nothing
  });

  it('prints the same facts as one JSON object with --json', async () => {
    const dir = initRepo();
    commit(dir, 'feat: one');
    git(dir, ['tag', 'v1.0.0']);
    const breaking = commit(dir, 'feat(api)!: drop v1 endpoints\n\nBREAKING CHANGE: /v1 is gone\n');
    commit(dir, 'fix: two');
    commit(dir, 'chore: deps [skip release]');
    const out = await dryRunJson(dir);
    expect(out.lastTag?.tag).toBe('v1.0.0');
    expect(out.commits).toMatchObject({
      total: 3,
      byType: { feat: 1, fix: 1, chore: 1 },
      nonConventional: 0,
      skipped: 1,
    });
    expect(out.bump).toBe('major');
    expect(out.causes.map((c) => c.hash)).toEqual([breaking]);
    expect(out.nextVersion).toBe('2.0.0');
    expect(out.nextTag).toBe('v2.0.0');
    expect(out.notes).toContain('/v1 is gone');
  });

  it('ignores tags on side branches that HEAD cannot reach', async () => {
    const dir = initRepo();
    commit(dir, 'feat: base');
    git(dir, ['tag', 'v1.0.0']);
    git(dir, ['checkout', '-q', '-b', 'experiment']);
    commit(dir, 'feat!: rewrite');
    git(dir, ['tag', 'v2.0.0']);
    git(dir, ['checkout', '-q', 'main']);
    commit(dir, 'fix: on main');
    const out = await dryRunJson(dir);
    expect(out.lastTag?.tag).toBe('v1.0.0');
    expect(out.nextVersion).toBe('1.0.1');
  });

  it('takes the highest of several tags on one commit, lightweight or annotated', async () => {
    const dir = initRepo();
    const tagged = commit(dir, 'feat: base');
    git(dir, ['tag', 'v1.0.0']);
    git(dir, ['tag', '-a', '-m', 'Release 1.1.0', 'v1.1.0']);
    git(dir, ['tag', 'v1.0.5']);
    commit(dir, 'fix: after');
    const out = await dryRunJson(dir);
    expect(out.lastTag).toEqual({ tag: 'v1.1.0', version: '1.1.0', commit: tagged });
    expect(out.nextVersion).toBe('1.1.1');
  });

  it('reports foreign tags such as latest and release-2020 and ignores them', async () => {
    const dir = initRepo();
    commit(dir, 'feat: base');
    git(dir, ['tag', 'v0.4.0']);
    git(dir, ['tag', 'latest']);
    git(dir, ['tag', 'release-2020']);
    commit(dir, 'feat: more');
    const out = await dryRunJson(dir);
    expect(out.lastTag?.tag).toBe('v0.4.0');
    expect(out.foreignTags.sort()).toEqual(['latest', 'release-2020']);
    expect(out.nextVersion).toBe('0.5.0');
    const text = await runCutter(['release', '--dry-run', '--cwd', dir]);
    expect(text.stdout).toContain('Foreign tags:  "latest", "release-2020" (not v{version}: ignored)');
  });

  it('proposes 1.0.0 as the first release when there are no tags', async () => {
    const out = await dryRunJson(repoWithCommits(['feat: hello', 'fix: world']));
    expect(out.lastTag).toBeNull();
    expect(out.commits.total).toBe(2);
    expect(out.nextVersion).toBe('1.0.0');
  });

  it('proposes 0.1.0 as the first release when .cutter.yml says so', async () => {
    const dir = initRepo();
    commit(dir, 'feat: hello', { '.cutter.yml': 'firstRelease: 0.1.0\ntagFormat: t{version}\n' });
    const out = await dryRunJson(dir);
    expect(out.nextVersion).toBe('0.1.0');
    expect(out.nextTag).toBe('t0.1.0');
  });

  it('works on a detached HEAD', async () => {
    const dir = initRepo();
    commit(dir, 'feat: a');
    git(dir, ['tag', 'v1.0.0']);
    const fix = commit(dir, 'fix: b');
    commit(dir, 'feat: c');
    git(dir, ['checkout', '-q', '--detach', fix]);
    const out = await dryRunJson(dir);
    expect(out.repository).toMatchObject({ branch: null, head: fix });
    expect(out.nextVersion).toBe('1.0.1');
  });

  it('keeps a 1 MB commit message and non-UTF-8 bytes without crashing', async () => {
    const dir = initRepo();
    commit(dir, `feat: huge body\n\n${'lorem ipsum '.repeat(90_000)}\n`);
    commit(dir, Buffer.concat([Buffer.from('fix: caf'), Buffer.from([0xe9, 0xff, 0xfe]), Buffer.from(' menu\n')]));
    const out = await dryRunJson(dir);
    expect(out.commits.total).toBe(2);
    expect(out.nextVersion).toBe('1.0.0');
    expect(out.notes).toContain('huge body');
    expect(out.notes).toMatch(/caf.+ menu/u);
  });

  it('treats tag names with shell metacharacters as foreign: nothing runs, nothing crashes', async () => {
    const dir = initRepo();
    commit(dir, 'feat: a');
    git(dir, ['tag', 'v1.0.0;rm-rf-x']);
    git(dir, ['tag', '$(touch$IFS-pwned)']);
    // A name git itself refuses (spaces), planted straight into the refs directory.
    const sha = git(dir, ['rev-parse', 'HEAD']);
    writeFileSync(path.join(dir, '.git', 'refs', 'tags', '$(touch pwned)'), `${sha}\n`);
    writeFileSync(path.join(dir, '.git', 'refs', 'tags', 'v1.0.0;rm -rf x'), `${sha}\n`);
    const res = await runCutter(['release', '--dry-run', '--json', '--cwd', dir]);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as DryRunJson;
    expect(out.lastTag).toBeNull();
    expect(out.foreignTags).toEqual(expect.arrayContaining(['v1.0.0;rm-rf-x', '$(touch$IFS-pwned)']));
    expect(existsSync(path.join(dir, 'pwned'))).toBe(false);
  });

  it('says "nothing to release" when no commit asks for one', async () => {
    const dir = initRepo();
    commit(dir, 'feat: a');
    git(dir, ['tag', 'v1.0.0']);
    commit(dir, 'docs: typo');
    const res = await runCutter(['release', '--dry-run', '--cwd', dir]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Bump:          none');
    expect(res.stdout).toContain('Next version:  none — nothing to release');
  });
});

describe('cutter release --dry-run with .cutter.yml rules', () => {
  it('cancels a revert against its target even when the target is a commit it would otherwise skip', async () => {
    const dir = initRepo();
    commit(dir, 'feat: base', { '.cutter.yml': 'bump:\n  types:\n    revert: patch\n' });
    git(dir, ['tag', 'v1.0.0']);
    commit(dir, 'docs: first note');
    const target = commit(dir, 'docs: second note');
    commit(dir, `revert: docs: second note\n\nThis reverts commit ${target}.\n`);
    const out = await dryRunJson(dir);
    expect(out.commits.total).toBe(3);
    expect(out.bump).toBeNull();
    expect(out.nextVersion).toBeNull();
  });

  it('releases a patch for refactor commits when the types table says so (seed 003)', async () => {
    const dir = initRepo();
    commit(dir, 'feat: base', { '.cutter.yml': 'bump:\n  types:\n    refactor: patch\n    build: patch\n' });
    git(dir, ['tag', 'v1.4.0']);
    const refactor = commit(dir, 'refactor(core): split the parser');
    commit(dir, 'docs: readme');
    const out = await dryRunJson(dir);
    expect(out.bump).toBe('patch');
    expect(out.causes.map((c) => c.hash)).toEqual([refactor]);
    expect(out.nextVersion).toBe('1.4.1');
  });

  it('does not count commits by ignored bot authors', async () => {
    const dir = initRepo();
    commit(dir, 'feat: base', { '.cutter.yml': 'ignoreAuthors: ["*[bot]"]\n' });
    git(dir, ['tag', 'v2.0.0']);
    git(dir, ['commit', '-q', '--allow-empty', '-m', 'feat: bump deps'], {
      env: { GIT_AUTHOR_NAME: 'renovate[bot]', GIT_AUTHOR_EMAIL: 'bot@renovateapp.com' },
    });
    const out = await dryRunJson(dir);
    expect(out.commits).toMatchObject({ total: 1, ignoredAuthors: 1 });
    expect(out.nextVersion).toBeNull();
  });

  it('releases a beta prerelease from the beta branch', async () => {
    const dir = initRepo();
    commit(dir, 'feat: base');
    git(dir, ['tag', 'v1.2.0']);
    git(dir, ['checkout', '-q', '-b', 'beta']);
    commit(dir, 'feat: shiny');
    const out = await dryRunJson(dir);
    expect(out.nextVersion).toBe('1.3.0-beta.1');
    expect(out.nextTag).toBe('v1.3.0-beta.1');
  });
});

describe('cutter release errors', () => {
  it('refuses a shallow clone with the command that fixes it', async () => {
    const origin = repoWithCommits(['feat: a', 'fix: b', 'fix: c']);
    const clone = tempDir();
    git(clone, ['clone', '-q', '--depth', '1', `file://${origin}`, '.']);
    const res = await runCutter(['release', '--dry-run', '--cwd', clone]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^CUTTER_SHALLOW_CLONE: .* — git fetch --unshallow --tags/);
    expect(res.stdout).toBe('');
  });

  it('refuses an empty repository', async () => {
    const res = await runCutter(['release', '--dry-run', '--cwd', initRepo()]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^CUTTER_EMPTY_REPO: /);
  });

  it('refuses a directory that is not a repository, without a stack trace', async () => {
    const dir = tempDir();
    const res = await runCutter(['release', '--dry-run', '--cwd', dir], {
      env: { GIT_CEILING_DIRECTORIES: path.dirname(dir) },
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^CUTTER_NOT_A_REPO: .* — /);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('shows the stack trace only with CUTTER_DEBUG=1', async () => {
    const dir = tempDir();
    const env = { GIT_CEILING_DIRECTORIES: path.dirname(dir), CUTTER_DEBUG: '1' };
    const res = await runCutter(['release', '--dry-run', '--cwd', dir], { env });
    expect(res.stderr).toMatch(/\n\s+at /);
  });

  it('names the file, line and key of a bad .cutter.yml', async () => {
    const dir = initRepo();
    commit(dir, 'feat: a', { '.cutter.yml': 'tagFormat: v{version}\nbump:\n  defaultPach: true\n' });
    const res = await runCutter(['release', '--dry-run', '--cwd', dir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `CUTTER_CONFIG_INVALID: ${path.join(dir, '.cutter.yml')}:3:3: unknown key bump.defaultPach`,
    );
    expect(res.stderr).toContain('allowed: types, defaultPatch');
  });

  it('exits 2 on a usage error', async () => {
    const res = await runCutter(['release', '--no-such-flag']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("unknown option '--no-such-flag'");
  });

  it('exits 2 on a bad --date', async () => {
    const res = await runCutter(['release', '--dry-run', '--date', 'yesterday', '--cwd', repoWithCommits(['feat: a'])]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^CUTTER_BAD_INPUT: --date "yesterday"/);
  });
});

describe('cutter release (tagging)', () => {
  it('creates the annotated tag with the notes, adopts it on a re-run, and pushes it with --push', async () => {
    const remote = tempDir();
    git(remote, ['init', '-q', '--bare']);
    const dir = repoWithCommits(['feat: a', 'fix: b']);
    git(dir, ['remote', 'add', 'origin', remote]);
    const head = git(dir, ['rev-parse', 'HEAD']);

    const first = await runCutter(['release', '--cwd', dir, '--date', '2026-11-25']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Created tag v1.0.0 at ${head.slice(0, 7)}.`);
    expect(git(dir, ['cat-file', '-t', 'v1.0.0'])).toBe('tag');
    expect(git(dir, ['tag', '-l', '--format=%(contents)', 'v1.0.0'])).toContain('### Features');

    // HEAD is now tagged: nothing new to release.
    const again = await runCutter(['release', '--cwd', dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to release');

    commit(dir, 'fix: c');
    const pushed = await runCutter(['release', '--push', '--json', '--cwd', dir]);
    expect(pushed.code).toBe(0);
    const out = JSON.parse(pushed.stdout) as { tag: { name: string; adopted: boolean; pushed: string } };
    expect(out.tag).toMatchObject({ name: 'v1.0.1', adopted: false, pushed: 'origin' });
    expect(git(remote, ['tag'])).toBe('v1.0.1');
  });

  it('refuses to tag from a branch that is not a release branch', async () => {
    const dir = repoWithCommits(['feat: a']);
    git(dir, ['checkout', '-q', '-b', 'feature/x']);
    const res = await runCutter(['release', '--cwd', dir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^CUTTER_REFUSED: branch feature\/x is not a release branch/);
    expect(git(dir, ['tag'])).toBe('');
  });
});

describe('cutter changelog', () => {
  it('writes CHANGELOG.md, is idempotent, and --dry-run writes nothing', async () => {
    const dir = initRepo();
    commit(dir, 'feat: a');
    git(dir, ['tag', 'v1.0.0']);
    commit(dir, 'feat(api): b');
    const file = path.join(dir, 'CHANGELOG.md');

    const dry = await runCutter(['changelog', '--dry-run', '--cwd', dir, '--date', '2026-11-25']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('1.1.0');
    expect(existsSync(file)).toBe(false);

    const res = await runCutter(['changelog', '--cwd', dir, '--date', '2026-11-25']);
    expect(res.code).toBe(0);
    const written = readFileSync(file, 'utf8');
    expect(written).toContain('1.1.0');
    expect(written).toContain('2026-11-25');
    expect(written).toBe(dry.stdout);

    const twice = await runCutter(['changelog', '--cwd', dir, '--date', '2026-11-25']);
    expect(twice.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(written);
  });
});

describe('cutter --help and stats', () => {
  it('shows help with examples for the program and each command', async () => {
    for (const args of [['--help'], ['release', '--help'], ['changelog', '--help']]) {
      const res = await runCutter(args);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain('Examples:');
    }
  });

  it('writes maxRssKb and gitPeakRssKb to CUTTER_STATS_FILE', async () => {
    const dir = repoWithCommits(['feat: a']);
    const stats = path.join(tempDir(), 'stats.json');
    const res = await runCutter(['release', '--dry-run', '--json', '--cwd', dir], {
      env: { CUTTER_STATS_FILE: stats },
    });
    expect(res.code).toBe(0);
    const data = JSON.parse(readFileSync(stats, 'utf8')) as { maxRssKb: number; gitPeakRssKb: number };
    expect(data.maxRssKb).toBeGreaterThan(1000);
    expect(data.gitPeakRssKb).toBeGreaterThanOrEqual(0);
  });
});
