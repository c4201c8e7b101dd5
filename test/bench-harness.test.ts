// The benchmark harness: generated histories land in git as intended, and the shared measuring parts behave.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextVersionFromJson } from '../bench/core/cutter.js';
import { gitCliffVersion } from '../bench/core/git-cliff.js';
import { semanticReleaseVersion } from '../bench/core/semantic-release.js';
import { type SizeFigures, type ToolFigures, targetChecks } from '../bench/core/summary.js';
import { generateHistory } from '../bench/lib/conventional-history.js';
import { writeHistoryRepo } from '../bench/lib/fast-import.js';
import { timedSpawn } from '../bench/lib/measure.js';
import { cachedFixture } from '../bench/lib/repo-cache.js';
import { runRounds } from '../bench/lib/rounds.js';
import { processCpuMs } from '../bench/lib/sandbox-process.js';
import { median } from '../bench/lib/stats.js';
import { markdownTable } from '../bench/lib/table.js';
import { webhookLoad } from '../bench/webhook-load.js';

const git = (cwd: string, ...args: string[]): string => {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
};

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cutter-bench-harness-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('generated benchmark repositories', () => {
  it('holds exactly the requested commits after an annotated v1.4.2 tag on the initial commit', async () => {
    const history = generateHistory({ commits: 50 });
    const repo = join(scratch, 'fifty');
    await writeHistoryRepo(repo, history);

    expect(git(repo, 'rev-list', '--count', 'v1.4.2..HEAD')).toBe('50');
    expect(git(repo, 'rev-list', '--count', 'HEAD')).toBe('51');
    expect(git(repo, 'cat-file', '-t', 'v1.4.2')).toBe('tag');
    expect(git(repo, 'rev-list', '--max-parents=0', 'HEAD')).toBe(git(repo, 'rev-parse', 'v1.4.2^{commit}'));
    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('stores every message byte for byte, including non-ASCII text', async () => {
    const history = generateHistory({ commits: 50, seed: 7 });
    const repo = join(scratch, 'messages');
    await writeHistoryRepo(repo, history);
    const stored = git(repo, 'log', '--reverse', '--format=%B%x00', 'v1.4.2..HEAD')
      .split('\0')
      .map((m) => m.trim())
      .filter(Boolean);
    expect(stored).toEqual(history.commits.map((c) => c.message.trim()));
  });

  it('is the same history for the same seed, so cached repositories stay valid', () => {
    const a = generateHistory({ commits: 200, seed: 42 });
    const b = generateHistory({ commits: 200, seed: 42 });
    const c = generateHistory({ commits: 200, seed: 43 });
    expect(a.commits.map((x) => x.message)).toEqual(b.commits.map((x) => x.message));
    expect(a.commits.map((x) => x.message)).not.toEqual(c.commits.map((x) => x.message));
  });

  it('expects a minor release (1.5.0) when no commit is breaking, and the mix of kinds is varied', () => {
    const history = generateHistory({ commits: 2000 });
    expect(history.expectedBump).toBe('minor');
    expect(history.expectedVersion).toBe('1.5.0');
    expect(history.commits[0]!.message).toMatch(/^feat(\(\w+\))?: /);
    for (const kind of ['feat', 'fix', 'perf', 'docs', 'chore', 'revert', 'non-conventional']) {
      expect(history.kinds[kind] ?? 0).toBeGreaterThan(0);
    }
    const messages = history.commits.map((c) => c.message);
    expect(messages.some((m) => / \(#\d+\)$/m.test(m.split('\n')[0]!))).toBe(true);
    expect(messages.some((m) => m.split('\n\n').length >= 3)).toBe(true);
    expect(messages.some((m) => /^BREAKING[ -]CHANGE/m.test(m) || /^\w+(\(\w+\))?!:/.test(m))).toBe(false);
  });

  it('puts a breaking footer only where asked, and then expects the next major', () => {
    const history = generateHistory({ commits: 100, breakingAt: [37] });
    const breaking = history.commits.flatMap((c, i) => (/^BREAKING CHANGE: /m.test(c.message) ? [i] : []));
    expect(breaking).toEqual([37]);
    expect(history.expectedVersion).toBe('2.0.0');
  });

  it('ignores breaking positions past the end of the history', () => {
    expect(generateHistory({ commits: 10, breakingAt: [99] }).expectedVersion).toBe('1.5.0');
  });
});

describe('fixture cache', () => {
  it('builds once and then returns the cached fixture', async () => {
    let builds = 0;
    const build = async (): Promise<{ n: number }> => ({ n: ++builds });
    const first = await cachedFixture(scratch, 'cache-key', build);
    const second = await cachedFixture(scratch, 'cache-key', build);
    expect(first).toMatchObject({ cached: false, meta: { n: 1 } });
    expect(second).toMatchObject({ cached: true, meta: { n: 1 } });
  });

  it('rebuilds a fixture whose build was interrupted (no ready marker)', async () => {
    await expect(
      cachedFixture(scratch, 'interrupted', async () => {
        throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    const again = await cachedFixture(scratch, 'interrupted', async () => ({ ok: true }));
    expect(again.cached).toBe(false);
    expect(JSON.parse(await readFile(join(again.dir, 'ready.json'), 'utf8'))).toEqual({ ok: true });
  });
});

describe('measuring', () => {
  let repo: string;
  beforeAll(async () => {
    repo = join(scratch, 'measured');
    await writeHistoryRepo(repo, generateHistory({ commits: 20 }));
  });

  it('times a real git command and reports its peak RSS when GNU time is present', async () => {
    const run = await timedSpawn('git', ['log', '--format=%H%x00%B%x00', 'v1.4.2..HEAD'], { cwd: repo });
    expect(run.exitCode).toBe(0);
    expect(run.ms).toBeGreaterThan(0);
    expect(run.stdout).toBe('');
    if (spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0) expect(run.peakRssKb).toBeGreaterThan(0);
  });

  it('reports a failing command as an exit code, not an exception', async () => {
    const run = await timedSpawn('git', ['log', 'no-such-ref'], { cwd: repo, captureStdout: true });
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toMatch(/no-such-ref/);
  });

  it('stops a command at its time limit, children included, and says the time is a lower bound', async () => {
    const run = await timedSpawn('sh', ['-c', 'sleep 30 & sleep 30'], { cwd: repo, timeoutMs: 300 });
    expect(run.timedOut).toBe(true);
    expect(run.ms).toBeGreaterThanOrEqual(300);
    expect(run.ms).toBeLessThan(10_000);
  });

  it("reads a process's own CPU and its finished children's from /proc, in ms", async () => {
    const before = await processCpuMs('self');
    if (before === null) return; // no /proc on this platform: the benchmark reports a dash
    // Spin until this process has used 60 ms of CPU by its own count (a wall-clock spin gets less on a busy machine).
    const start = process.cpuUsage();
    const used = () => {
      const u = process.cpuUsage(start);
      return (u.user + u.system) / 1000;
    };
    while (used() < 60) Math.sqrt(Math.random());
    spawnSync('sh', ['-c', 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done']);
    const after = (await processCpuMs('self'))!;
    expect(after.ownMs - before.ownMs).toBeGreaterThanOrEqual(40);
    expect(after.childrenMs).toBeGreaterThan(before.childrenMs);
  });

  it('takes the median of odd and even sample counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('runs a slow contender once and stops running a failing one', async () => {
    const calls = { fast: 0, slow: 0, broken: 0 };
    const results = await runRounds(
      [
        { name: 'fast', run: async () => ({ ms: ++calls.fast }) },
        { name: 'slow', run: async () => ({ ms: 10_000 + ++calls.slow }) },
        { name: 'broken', run: async () => ({ ms: 1, error: `boom ${++calls.broken}` }) },
      ],
      { rounds: 3, singleRunAboveMs: 5_000 },
    );
    expect(calls).toEqual({ fast: 4, slow: 1, broken: 1 });
    expect(results.get('fast')!.samples.map((s) => s.ms)).toEqual([2, 3, 4]);
    expect(results.get('slow')!.note).toMatch(/single run/);
    expect(results.get('broken')!.note).toBe('failed on warm-up');
  });

  it('escapes pipes and newlines in markdown cells and shows missing figures as a dash', () => {
    const table = markdownTable(
      ['tool', 'ms'],
      [
        ['a|b', null],
        ['multi\nline', 12],
      ],
      ['l', 'r'],
    );
    expect(table.split('\n')).toEqual(['| tool | ms |', '| --- | ---: |', '| a\\|b | — |', '| multi line | 12 |']);
  });
});

describe('target checks', () => {
  const tool = (name: string, medianMs: number, extra: Partial<ToolFigures> = {}): ToolFigures => ({
    tool: name,
    runs: 3,
    medianMs,
    samplesMs: [medianMs],
    ratioToFloor: null,
    peakRssMb: 50,
    version: name === 'floor' ? null : '1.5.0',
    ...extra,
  });
  const size = (tools: ToolFigures[]): SizeFigures => ({
    commits: 100_000,
    expectedVersion: '1.5.0',
    tools,
    agreement: 'agree',
  });

  it('meets every target when cutter is near the floor and far ahead of its peers', () => {
    const checks = targetChecks(
      size([
        tool('floor', 1000),
        tool('cutter', 1200, { ratioToFloor: 1.2 }),
        tool('semantic-release', 60_000),
        tool('git-cliff', 5000),
      ]),
    );
    expect(checks.map((c) => c.met)).toEqual([true, true, true, true, true]);
  });

  it('misses the targets it misses, and calls a tie with git-cliff a miss', () => {
    const checks = targetChecks(
      size([
        tool('floor', 1000),
        tool('cutter', 2000, { ratioToFloor: 2, peakRssMb: 120 }),
        tool('semantic-release', 20_000),
        tool('git-cliff', 2000),
      ]),
    );
    expect(checks.map((c) => c.met)).toEqual([false, false, false, false, true]);
  });

  it('counts a peer stopped at the time limit as a lower bound: met when already enough, unknown otherwise', () => {
    const enough = targetChecks(
      size([
        tool('floor', 1000),
        tool('cutter', 1000, { ratioToFloor: 1 }),
        tool('semantic-release', 300_000, { lowerBound: true, version: null }),
      ]),
    );
    expect(enough[1]).toMatchObject({ met: true, measured: expect.stringMatching(/^≥ 300×/) });
    const unknown = targetChecks(
      size([
        tool('floor', 1000),
        tool('cutter', 100_000, { ratioToFloor: 100 }),
        tool('semantic-release', 300_000, { lowerBound: true }),
      ]),
    );
    expect(unknown[1]!.met).toBeNull();
  });
});

describe('reading what each tool computed', () => {
  it('finds the next version in Cutter JSON wherever it is nested', () => {
    expect(nextVersionFromJson({ nextVersion: '1.5.0' })).toBe('1.5.0');
    expect(nextVersionFromJson({ release: { next: { version: '2.0.0' } } })).toBe('2.0.0');
    expect(nextVersionFromJson({ lastTag: 'v1.4.2' })).toBeNull();
    expect(nextVersionFromJson('1.5.0')).toBeNull();
  });

  it("parses semantic-release's log line and git-cliff's bumped version", () => {
    expect(semanticReleaseVersion('[x] › ℹ  The next release version is 1.5.0\n')).toBe('1.5.0');
    expect(semanticReleaseVersion('There are no relevant changes, so no new version is released.')).toBeNull();
    expect(gitCliffVersion('v1.5.0\n')).toBe('1.5.0');
    expect(gitCliffVersion('1.5.0-rc.1')).toBe('1.5.0-rc.1');
    expect(gitCliffVersion('WARN something\n')).toBeNull();
  });
});

describe('open-loop webhook load', () => {
  /** A real HTTP server that answers every POST 202 and records its delivery ids. */
  async function receiver(): Promise<{ url: string; deliveries: string[]; server: Server }> {
    const deliveries: string[] = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.method === 'POST') deliveries.push(String(req.headers['x-github-delivery']));
        res.writeHead(req.method === 'POST' ? 202 : 200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/github`, deliveries, server };
  }
  const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

  it('sends rate × seconds signed pushes with unique delivery ids to one URL', async () => {
    const one = await receiver();
    try {
      const result = await webhookLoad(one.url, 200, 0.5, 2);
      expect(result).toMatchObject({ requests: 100, statuses: { '202': 100 }, errors: 0, connections: 2 });
      expect(one.deliveries).toHaveLength(100);
      expect(new Set(one.deliveries).size).toBe(100);
      expect(result.elapsedMs).toBeGreaterThan(0);
    } finally {
      await close(one.server);
    }
  });

  it('sends to comma-separated URLs in turn, as a round-robin load balancer would', async () => {
    const receivers = await Promise.all([receiver(), receiver(), receiver()]);
    try {
      const result = await webhookLoad(receivers.map((r) => r.url).join(','), 200, 0.5, 2);
      expect(result).toMatchObject({ requests: 100, statuses: { '202': 100 }, errors: 0 });
      expect(receivers.map((r) => r.deliveries.length)).toEqual([34, 33, 33]);
      expect(new Set(receivers.flatMap((r) => r.deliveries)).size).toBe(100);
    } finally {
      await Promise.all(receivers.map((r) => close(r.server)));
    }
  });
});
