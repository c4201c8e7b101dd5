// The write budget under a fake clock: even spacing, the minute and hour windows, retry-after, a shared store.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store.js';
import { BudgetPacer } from './budget-pacer.js';
import { nextWriteSlot, type WriteLimits, type WriteMark, writeFloorMs } from './write-budget.js';

/** A clock that only moves when someone sleeps on it: the pacer's waits become exact arithmetic. */
function fakeClock(start = 1_000_000) {
  let now = start;
  const advance = (ms: number): void => {
    now += ms;
  };
  return { now: () => now, sleep: async (ms: number) => advance(ms), advance };
}

const stores: SqliteStore[] = [];
async function store(): Promise<SqliteStore> {
  const s = new SqliteStore(join(await mkdtemp(join(tmpdir(), 'cutter-pacer-')), 'cutter.db'));
  stores.push(s);
  return s;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

describe('write budget arithmetic', () => {
  it('spaces writes evenly at a minute divided by the per-minute limit', () => {
    const limits = { perMinute: 80, perHour: 500 };
    expect(nextWriteSlot({ now: 0, marks: [], limits }).at).toBe(0);
    expect(nextWriteSlot({ now: 100, marks: [{ s: 0, e: 50 }], limits }).at).toBe(750);
  });

  it('counts a window from when a write finished, never from when it started', () => {
    const limits = { perMinute: 2, perHour: 100 };
    const marks = [
      { s: 0, e: 400 },
      { s: 30_000, e: 30_100 },
    ];
    // Spacing alone would allow 60 000; the first write only left the window at 60 400.
    expect(nextWriteSlot({ now: 59_000, marks, limits }).at).toBe(60_400);
  });

  it('waits out the hour once 500 writes are in it', () => {
    const limits = { perMinute: 80, perHour: 500 };
    const marks = Array.from({ length: 500 }, (_, i) => ({ s: i * 750, e: i * 750 }));
    const now = 500 * 750;
    expect(nextWriteSlot({ now, marks, limits }).at).toBe(3_600_000);
  });

  it('holds writes until a retry-after and doubles the spacing while slowed down', () => {
    const limits = { perMinute: 80, perHour: 500 };
    const marks = [{ s: 0, e: 10 }];
    expect(nextWriteSlot({ now: 10, marks, limits, holdUntil: 5_000 }).at).toBe(5_000);
    expect(nextWriteSlot({ now: 10, marks, limits, slowdown: 2 }).at).toBe(1_500);
  });

  it('shrinks every window by the time scale of a sandbox', () => {
    expect(
      nextWriteSlot({ now: 1, marks: [{ s: 0, e: 1 }], limits: { perMinute: 80, perHour: 500, timeScale: 60 } }).at,
    ).toBe(12.5);
  });

  it('puts the floor of N writes at N-1 spacings within the hour, and past an hour beyond 500', () => {
    expect(writeFloorMs(81, { perMinute: 80, perHour: 500 })).toBe(60_000);
    expect(writeFloorMs(501, { perMinute: 80, perHour: 500 })).toBeGreaterThanOrEqual(3_600_000);
    expect(writeFloorMs(1, { perMinute: 80, perHour: 500 })).toBe(0);
  });

  it('puts the floor exactly where writing N marks one slot after another with nextWriteSlot puts it', () => {
    // The plain simulation the fast floor replaces: each write at its earliest slot, the last perHour + 1 marks kept.
    const simulated = (writes: number, limits: WriteLimits): number => {
      const marks: WriteMark[] = [];
      let now = 0;
      for (let n = 0; n < writes; n++) {
        now = nextWriteSlot({ now, marks, limits }).at;
        marks.push({ s: now, e: now });
        if (marks.length > limits.perHour + 1) marks.shift();
      }
      return writes <= 1 ? 0 : now;
    };
    const cases: WriteLimits[] = [
      { perMinute: 80, perHour: 500 },
      { perMinute: 80, perHour: 4800, timeScale: 10 },
      { perMinute: 7, perHour: 30, timeScale: 3 },
      { perMinute: 50, perHour: 40 },
      { perMinute: 1, perHour: 1 },
    ];
    for (const limits of cases)
      for (const writes of [0, 1, 2, 3, 79, 80, 81, 160, 499, 500, 501, 1002, 1494])
        expect(writeFloorMs(writes, limits), `${writes} writes, ${JSON.stringify(limits)}`).toBe(
          simulated(writes, limits),
        );
  });
});

describe('BudgetPacer', () => {
  it('lets 200 writes through at no more than 80 in any minute and never faster than the spacing', async () => {
    const clock = fakeClock();
    const pacer = new BudgetPacer({ store: await store(), now: clock.now, sleep: clock.sleep, writesPerHour: 10_000 });
    const starts: number[] = [];
    for (let i = 0; i < 200; i++) {
      const done = await pacer.acquire('write');
      starts.push(clock.now());
      clock.advance(5); // the request itself
      done();
      await pacer.flush();
    }
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(750);
    for (let i = 80; i < starts.length; i++) expect(starts[i]! - starts[i - 80]!).toBeGreaterThanOrEqual(60_000);
    // …and not much slower than the floor either.
    expect(starts.at(-1)! - starts[0]!).toBeLessThan(writeFloorMs(200, pacer.limits) * 1.05);
  });

  it('holds new writes for a retry-after GitHub sent, then goes on at half speed for a while', async () => {
    const clock = fakeClock();
    const pacer = new BudgetPacer({ store: await store(), now: clock.now, sleep: clock.sleep });
    (await pacer.acquire('write'))();
    await pacer.flush();
    const t0 = clock.now();
    pacer.noteRetryAfter(30_000);
    await pacer.flush();
    (await pacer.acquire('write'))();
    await pacer.flush();
    expect(clock.now() - t0).toBeGreaterThanOrEqual(30_000);
    const t1 = clock.now();
    (await pacer.acquire('write'))();
    expect(clock.now() - t1).toBe(1_500);
    expect(pacer.stats.pushedBack).toBe(1);
  });

  it('shares one budget between two pacers on the same store (two tasks or processes)', async () => {
    const clock = fakeClock();
    const shared = await store();
    const a = new BudgetPacer({ store: shared, now: clock.now, sleep: clock.sleep });
    const b = new BudgetPacer({ store: shared, now: clock.now, sleep: clock.sleep });
    const starts: number[] = [];
    for (let i = 0; i < 10; i++) {
      const p = i % 2 === 0 ? a : b;
      const done = await p.acquire('write');
      starts.push(clock.now());
      done();
      await p.flush();
    }
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(750);
  });

  it('reads the shared budget about once per write when many writers of one process wait for slots', async () => {
    const shared = await store();
    let reads = 0;
    const counting = {
      kvGet: (key: string) => {
        reads++;
        return shared.kvGet(key);
      },
      kvSet: shared.kvSet.bind(shared),
    };
    // Real time, windows shrunk 600×: a slot every 1.25 ms, so 8 writers always have one to wait for.
    const pacer = new BudgetPacer({ store: counting, timeScale: 600, writesPerHour: 10_000, maxConcurrentWrites: 8 });
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 10; i++) (await pacer.acquire('write'))();
      }),
    );
    await pacer.flush();
    expect(pacer.stats.writes).toBe(80);
    // Two reads to reserve (one, then one more when the wait for the slot ends) and one to mark the write finished;
    // writers woken for the same slot, each re-reading after losing the compare-and-set, made it 9 a write.
    expect(reads / 80).toBeLessThan(5);
    const starts = (await pacer.snapshot()).marks.map((m) => m.s).sort((a, b) => a - b);
    expect(starts.length).toBe(80);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(1.25);
  });

  it('caps writes in flight and never paces reads by the write budget', async () => {
    const clock = fakeClock();
    const pacer = new BudgetPacer({
      store: await store(),
      now: clock.now,
      sleep: clock.sleep,
      maxConcurrentWrites: 1,
      maxConcurrentReads: 2,
    });
    const r1 = await pacer.acquire('read');
    const r2 = await pacer.acquire('read');
    let third = false;
    const r3 = pacer.acquire('read').then((done) => {
      third = true;
      return done;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(third).toBe(false);
    r1();
    (await r3)();
    r2();
    expect(clock.now()).toBe(1_000_000);
    expect(pacer.stats.reads).toBe(3);
  });
});
