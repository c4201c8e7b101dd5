// Runs Debian's `docker-registry` (CNCF Distribution) on a loopback port with a throw-away config and storage directory.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CutterError } from '../core/errors.js';

export const REGISTRY_BINARY = process.env['CUTTER_REGISTRY_BIN'] ?? '/usr/bin/docker-registry';

export interface LocalRegistry {
  /** `127.0.0.1:PORT`: the registry part of image references (`127.0.0.1:PORT/acme/connector-x:1.0.0`). */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Where the blobs live; removed by `stop()` unless the caller gave it. */
  root: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** No auth and no TLS: it listens on loopback only, for tests, benchmarks and the demo. */
function configYaml(root: string, port: number): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(root)}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '',
  ].join('\n');
}

async function waitUntilUp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new CutterError('CUTTER_INTERNAL', `the local registry at ${url} did not come up within ${timeoutMs}ms`, {
    hint: `check that ${REGISTRY_BINARY} runs (apt-get install -y docker-registry)`,
  });
}

/** Start a registry; `root` keeps its storage across restarts (the demo), a temp dir otherwise. */
export async function startLocalRegistry(options: { root?: string; timeoutMs?: number } = {}): Promise<LocalRegistry> {
  const work = await mkdtemp(join(tmpdir(), 'cutter-registry-'));
  const root = options.root ?? join(work, 'storage');
  const port = await freePort();
  const configPath = join(work, 'config.yml');
  await writeFile(configPath, configYaml(root, port));
  const child = spawn(REGISTRY_BINARY, ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2_000);
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) =>
      reject(
        new CutterError('CUTTER_NOT_SUPPORTED', `cannot start ${REGISTRY_BINARY}: ${err.message}`, {
          hint: 'install the CNCF Distribution registry: apt-get install -y docker-registry',
        }),
      ),
    );
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await rm(work, { recursive: true, force: true });
  };
  try {
    await spawned;
    await waitUntilUp(url, child, options.timeoutMs ?? 15_000);
  } catch (err) {
    await stop();
    if (err instanceof CutterError && stderr) {
      throw new CutterError(err.code, `${err.message}: ${stderr.trim().split('\n').pop()}`, { hint: err.hint });
    }
    throw err;
  }
  return { host: `127.0.0.1:${port}`, url, root, stop };
}
