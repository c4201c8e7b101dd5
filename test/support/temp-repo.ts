// Real throw-away git repositories for tests: made in os.tmpdir(), driven by the real git CLI with argument arrays.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fixed identity and clock so that tests never depend on the machine's git config. */
export const GIT_TEST_ENV: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 'Ada Tester',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada Tester',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

const made: string[] = [];

/** A new empty directory under the OS temp dir, removed by `removeTempDirs()`. */
export function tempDir(prefix = 'cutter-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Run git in `cwd`; throws with stderr when git fails. Returns trimmed stdout. */
export function git(
  cwd: string,
  args: string[],
  opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {},
): string {
  const res = spawnSync('git', args, {
    cwd,
    env: { ...process.env, ...GIT_TEST_ENV, ...opts.env },
    input: opts.input,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${res.stderr.toString()}`);
  return res.stdout.toString().trim();
}

/** A new repository with branch `main` and no commits. */
export function initRepo(): string {
  const dir = tempDir();
  git(dir, ['init', '-q', '-b', 'main']);
  return dir;
}

/** Commit `message` (empty commit unless `files` are given); returns the new sha. */
export function commit(dir: string, message: string | Buffer, files: Record<string, string> = {}): string {
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), content);
    git(dir, ['add', '--', name]);
  }
  // -F - takes the message verbatim from stdin: any size, any bytes.
  git(dir, ['commit', '-q', '--allow-empty', '--cleanup=verbatim', '-F', '-'], { input: message });
  return git(dir, ['rev-parse', 'HEAD']);
}

/** A repository with the given commit messages, oldest first. */
export function repoWithCommits(messages: string[]): string {
  const dir = initRepo();
  for (const m of messages) commit(dir, m);
  return dir;
}

/** Create many commits quickly with `git fast-import` (for size and speed tests). */
export function fastImportCommits(dir: string, messages: string[], branch = 'refs/heads/main'): void {
  const parts: string[] = [];
  let mark = 0;
  const hasHead = spawnSync('git', ['rev-parse', '-q', '--verify', `${branch}^{commit}`], { cwd: dir }).status === 0;
  const from = hasHead ? git(dir, ['rev-parse', `${branch}^{commit}`]) : null;
  messages.forEach((m, i) => {
    mark++;
    const data = Buffer.byteLength(m);
    parts.push(`commit ${branch}\nmark :${mark}\nauthor Ada Tester <ada@example.com> ${1700000000 + i} +0000\n`);
    parts.push(`committer Ada Tester <ada@example.com> ${1700000000 + i} +0000\ndata ${data}\n${m}\n`);
    if (i === 0 && from) parts.push(`from ${from}\n`);
    parts.push('\n');
  });
  git(dir, ['fast-import', '--quiet'], { input: parts.join('') });
  git(dir, ['reset', '-q', '--hard', branch.replace('refs/heads/', '')]);
}
