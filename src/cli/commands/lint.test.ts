import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { commit, GIT_TEST_ENV, initRepo, removeTempDirs } from '../../../test/support/temp-repo.js';

afterAll(removeTempDirs);

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.resolve(HERE, '../main.ts');
/** By file URL: `--import tsx` would be resolved from the test repository, which has no node_modules. */
const TSX = pathToFileURL(path.resolve(HERE, '../../../node_modules/tsx/dist/loader.mjs')).href;

/** Runs `cutter lint …` from source through tsx, as a separate process, the way CI would run it. */
function lint(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, 'lint', ...args], {
      cwd,
      env: { ...process.env, ...GIT_TEST_ENV },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

describe('cutter lint', { timeout: 120_000 }, () => {
  it('passes a good message and fails a bad PR title with the problem and a hint', async () => {
    const dir = initRepo();
    const good = await lint(['--message', 'feat(api): add paging'], dir);
    expect(good).toMatchObject({ code: 0 });
    expect(good.stdout).toContain('1 message follows the convention');

    const bad = await lint(['--pr-title', 'Add paging.'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('✗ PR title: Add paging.');
    expect(bad.stdout).toMatch(/header-format: .* — start with a type/);
  });

  it('checks every commit of a range against the types configured in .cutter.yml', async () => {
    const dir = initRepo();
    writeFileSync(path.join(dir, '.cutter.yml'), 'bump:\n  types:\n    deps: patch\n');
    const base = commit(dir, 'chore: start', { '.cutter.yml': 'bump:\n  types:\n    deps: patch\n' });
    commit(dir, 'deps: bump yaml');
    const wrong = commit(dir, 'Feat: new thing\n\nBreaking change: yes');
    const r = await lint(['--from', base, '--to', 'HEAD', '--json'], dir);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      checked: number;
      failing: number;
      results: Array<{ source: string; problems: Array<{ rule: string }> }>;
    };
    expect(out.checked).toBe(2);
    expect(out.failing).toBe(1);
    expect(out.results[0]?.source).toBe(wrong.slice(0, 7));
    expect(out.results[0]?.problems.map((p) => p.rule)).toEqual(['type-case', 'breaking-footer']);
  });

  it('refuses to guess what to check, and names a ref that does not exist', async () => {
    const dir = initRepo();
    commit(dir, 'chore: start');
    const none = await lint([], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('CUTTER_BAD_INPUT: say what to check');
    const missing = await lint(['--from', 'v9.9.9'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('"v9.9.9" is not a commit');
  });
});
