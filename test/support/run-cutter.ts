// Runs the built CLI (`node bin/cutter.js …`) as a user would, capturing exit code, stdout and stderr.
import { spawn } from 'node:child_process';
import { CUTTER_BIN } from './ensure-built.js';
import { GIT_TEST_ENV } from './temp-repo.js';

export interface CutterRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCutter(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CutterRun> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...GIT_TEST_ENV, ...opts.env };
    delete env['CUTTER_DEBUG'];
    if (opts.env?.['CUTTER_DEBUG']) env['CUTTER_DEBUG'] = opts.env['CUTTER_DEBUG'];
    const child = spawn(process.execPath, [CUTTER_BIN, ...args], { cwd: opts.cwd ?? process.cwd(), env });
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

/** Runs the CLI from source (`node --import tsx src/cli/main.ts …`), for tests that need no build; `env` adds to ours. */
export function runCutterSource(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CutterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, ...env },
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
