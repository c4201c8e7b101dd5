// Test harness: a real, throwaway Postgres server (Debian's `postgresql` binaries) in a temp dir on a random port.

import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  url: string;
  port: number;
  /**
   * Creates a database and returns its URL (one per test keeps tests independent); a copy of `template` when given
   * (a database migrated once is copied far faster than migrated again).
   */
  createDatabase(options?: { template?: string }): Promise<string>;
  /** Runs one statement on the `postgres` database as the superuser (set-up only). */
  query(sql: string): Promise<void>;
  stop(): Promise<void>;
}

export interface PostgresServerOptions {
  /**
   * Durable (fsync on, as in production) or fast (fsync off: a killed *process* still loses nothing, only a power
   * cut would). Tests use fast; the benchmark uses durable.
   */
  durable?: boolean;
}

/** Debian installs the server under /usr/lib/postgresql/VERSION/bin; take the newest, else whatever is on PATH. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  return null;
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

/** initdb and postgres refuse to run as root: as root, run them as Debian's `postgres` system user. */
async function asServerUser(bin: string, args: string[]): Promise<void> {
  const isRoot = process.getuid?.() === 0;
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  await run(file, argv, { timeout: 120_000 });
}

async function serverUserIds(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

export async function startPostgres(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const binDir = postgresBinDir();
  const tool = (name: string) => (binDir ? join(binDir, name) : name);
  const dir = await mkdtemp(join(tmpdir(), 'cutter-pg-'));
  const ids = await serverUserIds();
  if (ids) await chown(dir, ids.uid, ids.gid);
  await chmod(dir, 0o700);
  const data = join(dir, 'data');
  try {
    await asServerUser(tool('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `cannot initdb a test Postgres (${(err as Error).message.split('\n')[0]}): install Debian's server with ` +
        '`apt-get install -y postgresql` (it provides /usr/lib/postgresql/VERSION/bin and the postgres user)',
    );
  }
  const settings = [
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${dir}'`,
    'max_connections = 200',
    'shared_buffers = 64MB',
    ...(options.durable ? [] : ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off']),
  ];
  let port = 0;
  let started = false;
  for (let attempt = 0; attempt < 5 && !started; attempt++) {
    port = await freePort();
    await appendFile(join(data, 'postgresql.conf'), `\n${settings.join('\n')}\nport = ${port}\n`);
    try {
      await asServerUser(tool('pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
      started = true;
    } catch (err) {
      if (attempt === 4) throw err; // another process took the port between our probe and the start
    }
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let counter = 0;
  return {
    url,
    port,
    async createDatabase(options = {}) {
      const name = `t_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const template = options.template ? ` TEMPLATE ${new URL(options.template).pathname.slice(1)}` : '';
        await client.query(`CREATE DATABASE ${name}${template}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async query(sql: string) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
    async stop() {
      try {
        await asServerUser(tool('pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
