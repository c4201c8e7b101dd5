// THE chaos test: `cutter serve` is killed with SIGKILL at seeded random moments while 50 releases flow through it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import type { TaskRecord } from '../src/store/types.js';
import { type PostgresServer, startPostgres } from './postgres-server.js';
import { type Harness, startSandbox, TOKEN } from './sandbox-harness.js';

const SECRET = 'chaos-webhook-secret';
// Run from source (tsx): the test must not depend on a dist/ build that other changes keep making stale.
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const REPOS = 25;
const ROUNDS = 2; // 25 repositories × 2 pushes = 50 releases
const KILLS = Number(process.env['CUTTER_CHAOS_KILLS'] ?? 4);

/** Seeded PRNG (mulberry32): a failing run replays with the same kill times via CUTTER_CHAOS_SEED. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

interface Child {
  process: ChildProcess;
  exited: Promise<void>;
  stderr: () => string;
}

/** `cutter serve` in its own process, as an operator runs it; resolves once it listens. */
async function startServe(port: number, store: string, apiUrl: string): Promise<Child> {
  const postgres = store.startsWith('postgres://');
  const where = postgres ? [] : ['--db', store];
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', String(port), ...where], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...(postgres ? { CUTTER_DATABASE_URL: store } : {}),
      CUTTER_WEBHOOK_SECRET: SECRET,
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: apiUrl,
      // A short lease: a killed server's running tasks are taken over quickly by the next one.
      CUTTER_LEASE_MS: '1500',
    },
  });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('listening on')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`cutter serve exited ${code} before listening: ${err}`)));
  });
  return { process: child, exited, stderr: () => err };
}

// SQLite: one server, killed and restarted. Postgres: two servers on one database, each with its own org hook (so
// every push is delivered to both), killed in turn while the other goes on.
describe.each([
  { store: 'sqlite', servers: 1 },
  { store: 'postgres', servers: 2 },
] as const)(
  'chaos: cutter serve ($store store, $servers server(s)) killed with SIGKILL during 50 releases',
  ({ store: storeKind, servers: serverCount }) => {
    let h: Harness;
    let dir: string;
    let postgres: PostgresServer | undefined;

    beforeAll(async () => {
      // This test is about crashes, not GitHub's budget: the driver's 50 pushes plus Cutter's 150 writes would cross
      // the 80-writes-a-minute secondary limit on a quiet machine, and the driver's own Octokit does not wait it out.
      h = await startSandbox({ limits: { writesPerMinute: 100_000, writesPerHour: 1_000_000 } });
      dir = await mkdtemp(join(tmpdir(), 'cutter-serve-chaos-'));
      if (storeKind === 'postgres') postgres = await startPostgres();
    });
    afterAll(async () => {
      await postgres?.stop();
      await h?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('publishes every release exactly once and loses no task', { timeout: 600_000 }, async () => {
      const seed = Number(process.env['CUTTER_CHAOS_SEED'] ?? 20261125);
      const random = seeded(seed);
      const db = postgres ? await postgres.createDatabase() : join(dir, 'cutter.db');
      const ports: number[] = [];
      for (let i = 0; i < serverCount; i++) ports.push(await freePort());

      // Repositories with a first commit, created before the hook exists: no release yet.
      const names = Array.from({ length: REPOS }, (_, i) => `connector-chaos-${i}`);
      for (const name of names) await h.octokit.rest.repos.createInOrg({ org: 'acme', name, auto_init: true });
      const hooks: number[] = [];
      for (const port of ports) {
        const { data: hook } = await h.octokit.rest.orgs.createWebhook({
          org: 'acme',
          name: 'web',
          events: ['push'],
          config: { url: `http://127.0.0.1:${port}/webhooks/github`, content_type: 'json', secret: SECRET },
        });
        hooks.push(hook.id);
      }

      const t0 = Date.now();
      const phase = (what: string) => console.error(`chaos +${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
      const servers: Child[] = [];
      for (const port of ports) servers.push(await startServe(port, db, h.url));
      const probe = await openStore(db);
      const stored = async (name: string, sha: string) =>
        (await probe.listTasks({ key: `acme/${name}`, limit: 500 })).tasks.some(
          (t) => (t.data as { push?: { after?: string } }).push?.after === sha,
        );

      // GitHub does not retry a failed delivery; like the script GitHub's docs suggest, redeliver failures.
      let redelivering = true;
      const redelivered = new Set<number>();
      const redeliverer = (async () => {
        while (redelivering) {
          await sleep(1000);
          for (const hookId of hooks) {
            try {
              // Page by page by hand: the whole delivery log, newest first.
              const deliveries = [];
              for (let page = 1; ; page++) {
                const { data } = await h.octokit.rest.orgs.listWebhookDeliveries({
                  org: 'acme',
                  hook_id: hookId,
                  per_page: 100,
                  page,
                });
                deliveries.push(...data);
                if (data.length < 100) break;
              }
              const settledGuids = new Set(
                deliveries
                  .filter((d) => d.status === 'pending' || (d.status_code >= 200 && d.status_code < 300))
                  .map((d) => d.guid),
              );
              for (const d of deliveries) {
                if (settledGuids.has(d.guid) || redelivered.has(d.id)) continue;
                redelivered.add(d.id);
                settledGuids.add(d.guid);
                // A redelivery to a server that is down again answers 502; the next pass picks it up.
                await h.octokit.rest.orgs
                  .redeliverWebhookDelivery({ org: 'acme', hook_id: hookId, delivery_id: d.id })
                  .catch(() => {});
              }
            } catch (err) {
              console.error(`redelivery pass failed, trying again: ${(err as Error).message}`);
            }
          }
        }
      })();

      /**
       * One commit to main through the contents API. On a loaded machine the sandbox sometimes drops a kept-alive
       * connection as the request goes out (ECONNRESET, no response): send it again; if the first one did land, the
       * file exists (422) and its commit is the one sought.
       */
      const pushRound = async (name: string, round: number, type: string): Promise<string> => {
        const path = `round-${round}.txt`;
        for (let attempt = 1; ; attempt++) {
          try {
            const { data } = await h.octokit.rest.repos.createOrUpdateFileContents({
              owner: 'acme',
              repo: name,
              path,
              message: `${type}: round ${round} of ${name}`,
              content: Buffer.from(`round ${round}\n`).toString('base64'),
              branch: 'main',
            });
            return data.commit.sha!;
          } catch (err) {
            const status = (err as { status?: number; response?: unknown }).status;
            const noResponse = (err as { response?: unknown }).response === undefined;
            if (status === 422 && attempt > 1) {
              const { data } = await h.octokit.rest.repos.listCommits({ owner: 'acme', repo: name, path, per_page: 1 });
              return data[0]!.sha;
            }
            if (!noResponse || attempt >= 5) throw err;
            await sleep(500);
          }
        }
      };

      let pushing = true;
      // The pushes: two rounds of commits to main through the contents API (one request each, where a git push
      // spawns several processes on a busy machine); the sandbox sends the same signed push webhook either way.
      // A repository's second push waits until its first is stored: a push redelivered after a newer one of the
      // same branch is a different story (its commit is already released), not what this test is about.
      const firstRound = new Map<string, string>();
      const pushes = (async () => {
        for (let round = 1; round <= ROUNDS; round++) {
          const queue = [...names];
          await Promise.all(
            Array.from({ length: 4 }, async () => {
              for (let name = queue.shift(); name; name = queue.shift()) {
                const previous = firstRound.get(name);
                while (previous && !(await stored(name, previous))) await sleep(200);
                const type = round === 1 ? 'feat' : 'fix';
                const sha = await pushRound(name, round, type);
                if (round === 1) firstRound.set(name, sha);
              }
            }),
          );
          phase(`round ${round} pushed`);
        }
        pushing = false;
      })();

      // The killer: SIGKILL at seeded random moments, each time with work in flight, then a restart.
      let kills = 0;
      let killsWithWorkInFlight = 0;
      while (kills < KILLS) {
        await sleep(400 + Math.floor(random() * 2500));
        const unfinished = (await probe.listTasks({ status: ['queued', 'running', 'waiting'], limit: 500 })).tasks;
        if (unfinished.length > 0) killsWithWorkInFlight++;
        // In turn: with two servers, the other one goes on with the work (and takes over the killed one's).
        const victim = kills % servers.length;
        servers[victim]!.process.kill('SIGKILL');
        await servers[victim]!.exited;
        kills++;
        await sleep(Math.floor(random() * 500));
        servers[victim] = await startServe(ports[victim]!, db, h.url);
        phase(`kill ${kills} of server ${victim} (${unfinished.length} tasks unfinished), restarted`);
      }
      await pushes;
      expect(pushing).toBe(false);
      expect(killsWithWorkInFlight).toBeGreaterThan(0);

      try {
        // Every push to main has its task (tag pushes are recorded and skipped); wait until all are finished.
        const onMain = (t: TaskRecord) => (t.data as { push?: { ref: string } }).push?.ref === 'refs/heads/main';
        const deadline = Date.now() + 300_000;
        let tasks = (await probe.listTasks({ limit: 500 })).tasks;
        while (
          tasks.filter(onMain).length < REPOS * ROUNDS ||
          tasks.some((t) => !['done', 'failed', 'cancelled'].includes(t.status))
        ) {
          if (Date.now() > deadline) throw new Error(`unfinished: ${tasks.map((t) => t.status).join(',')}`);
          await sleep(250);
          tasks = (await probe.listTasks({ limit: 500 })).tasks;
        }
        phase(`all ${tasks.length} tasks finished (${redelivered.size} deliveries redelivered)`);
        expect(tasks.filter((t) => t.status !== 'done').map((t) => [t.key, t.status, t.error])).toEqual([]);
        expect(tasks.filter(onMain)).toHaveLength(REPOS * ROUNDS);
        expect(tasks.filter((t) => !onMain(t) && !(t.data as { skipped?: unknown }).skipped)).toEqual([]);

        for (const name of names) {
          const { data: tags } = await h.octokit.rest.repos.listTags({ owner: 'acme', repo: name, per_page: 100 });
          const { data: releases } = await h.octokit.rest.repos.listReleases({
            owner: 'acme',
            repo: name,
            per_page: 100,
          });
          const tagNames = tags.map((t) => t.name).sort();
          expect(tagNames, name).toHaveLength(ROUNDS);
          expect(new Set(tagNames).size, name).toBe(ROUNDS);
          expect(releases.map((r) => r.tag_name).sort(), name).toEqual(tagNames);
          expect(
            releases.every((r) => !r.draft && r.published_at !== null),
            name,
          ).toBe(true);
          const notes = releases.map((r) => r.body ?? '').join('\n');
          for (let round = 1; round <= ROUNDS; round++) expect(notes, name).toContain(`round ${round} of ${name}`);
        }
      } finally {
        redelivering = false;
        await redeliverer;
        await probe.close();
        for (const server of servers) {
          server.process.kill('SIGTERM');
          await server.exited;
        }
      }
    });
  },
);
