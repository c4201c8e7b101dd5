// Starts `cutter serve` from the built CLI in its own process, as deployed, on a SQLite file or a shared Postgres
// database, with bench/lib/serve-probe.mjs preloaded; resolves once it listens.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROBE_MODULE, ServeProbe } from './serve-probe.js';
import { BENCH_WEBHOOK_SECRET } from './signed-push.js';

/** The sandbox token the benchmarks' serve processes use for the GitHub API. */
export const BENCH_GITHUB_TOKEN = 'bench-sandbox-token';

export interface Serve {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
  /** Its HTTP thread's loop delay, GC and per-thread CPU over a phase (bench/lib/serve-probe.mjs, preloaded). */
  probe: ServeProbe;
}

export interface ServeOptions {
  /** The checkout whose bin/cutter.js (and dist/) runs. */
  root: string;
  /** A SQLite file (`--db`) or a `postgres://` URL (CUTTER_DATABASE_URL, shared by several serve processes). */
  store: string;
  /** GITHUB_API_URL: the sandbox. */
  apiUrl: string;
  /** Where the probe writes its snapshots: unique per process. */
  probeFile: string;
}

/** `cutter serve --port 0` on `store`; SIGTERM it and await `exited` to stop. */
export async function startServe(options: ServeOptions): Promise<Serve> {
  const postgres = options.store.startsWith('postgres://');
  const args = ['--import', pathToFileURL(PROBE_MODULE).href, join(options.root, 'bin', 'cutter.js'), 'serve'];
  const child = spawn(process.execPath, [...args, '--port', '0', ...(postgres ? [] : ['--db', options.store])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...(postgres ? { CUTTER_DATABASE_URL: options.store } : {}),
      CUTTER_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
      GITHUB_TOKEN: BENCH_GITHUB_TOKEN,
      GITHUB_API_URL: options.apiUrl,
      CUTTER_BENCH_PROBE: options.probeFile,
    },
  });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-10_000);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`cutter serve exited ${code}: ${err}`)));
  });
  return { child, url, exited, probe: new ServeProbe(child.pid!, options.probeFile) };
}

/** SIGTERM (finish steps in flight, then stop) and wait for the exit. */
export async function stopServe(serve: Serve): Promise<void> {
  if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGTERM');
  await serve.exited;
}
