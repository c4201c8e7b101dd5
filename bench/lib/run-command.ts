// Runs a set-up command (argument array, no shell) that must succeed, and returns its trimmed stdout.
import { spawn } from 'node:child_process';

export interface RunCommandOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

export function runCommand(command: string, args: readonly string[], options: RunCommandOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: 'pipe' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8').trim();
      if (code === 0) resolve(stdout);
      else {
        const stderr = Buffer.concat(err).toString('utf8').trim();
        reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
      }
    });
  });
}
