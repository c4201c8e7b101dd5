// The GitHub sandbox as its own process (`cutter sandbox` from the built CLI): GitHub is another machine, so the
// CPU it spends must not be billed to the event loop of the Cutter being measured; its own CPU is read apart.

import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface SandboxProcess {
  child: ChildProcess;
  url: string;
  /** CPU the sandbox process has used so far, and its finished children (its `git` runs); null without /proc. */
  cpu(): Promise<{ ownMs: number; childrenMs: number } | null>;
  /** Warning lines it printed for answers that break GitHub's OpenAPI description (`--validate`). */
  violations(): string[];
  stop(): Promise<void>;
}

/** Newest modification time of the TypeScript sources under `dir` (tests left out). */
async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, (await stat(path)).mtimeMs);
  }
  return newest;
}

/** The CLI runs from dist/: refuse a build older than the sources, which would measure some other sandbox. */
async function assertBuilt(root: string): Promise<void> {
  const built = await stat(join(root, 'dist', 'cli', 'main.js')).catch(() => null);
  const sources = Math.max(
    await newestSource(join(root, 'src', 'sandbox')),
    await newestSource(join(root, 'src', 'cli')),
  );
  if (!built || built.mtimeMs < sources)
    throw new Error('dist/ is missing or older than src/sandbox or src/cli — run `npm run build` (npm run bench does)');
}

/** utime + stime and cutime + cstime of a process, in ms (/proc/PID/stat fields 14–17, 10 ms clock ticks). */
export async function processCpuMs(pid: number | 'self'): Promise<{ ownMs: number; childrenMs: number } | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (text === null) return null;
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ownMs: (Number(f[11]) + Number(f[12])) * 10, childrenMs: (Number(f[13]) + Number(f[14])) * 10 };
}

/** Start `cutter sandbox --root DIR --port 0 ARGS…` and resolve once it prints its URL. */
export async function startSandboxProcess(root: string, dir: string, args: readonly string[]): Promise<SandboxProcess> {
  await assertBuilt(root);
  // BENCH_SANDBOX_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the sandbox's side alone.
  const nodeArgs = (process.env['BENCH_SANDBOX_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, join(root, 'bin', 'cutter.js'), 'sandbox', '--root', dir, '--port', '0', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  let partial = '';
  const violations: string[] = [];
  child.stderr?.on('data', (c: Buffer) => {
    const text = c.toString();
    err = (err + text).slice(-10_000);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.includes('OpenAPI violation')) violations.push(line);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /GitHub sandbox at (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`cutter sandbox exited ${code}: ${err}`)));
  });
  return {
    child,
    url,
    cpu: () => (child.pid === undefined ? Promise.resolve(null) : processCpuMs(child.pid)),
    violations: () => [...violations],
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
