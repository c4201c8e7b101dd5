// The GitHub write budget shared by several workers through Postgres: together they stay under the secondary limits.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../test/postgres-server.js';
import { BudgetPacer } from '../github/budget-pacer.js';
import { GITHUB_WRITE_LIMITS, writeFloorMs } from '../github/write-budget.js';
import { PostgresStore } from '../store/postgres-store.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

describe('the budget pacer on Postgres', () => {
  it('spaces the writes of four workers (four connection pools) as one budget', async () => {
    const url = await server.createDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open(url)));
    try {
      // A sandbox clock 40x fast: a "minute" lasts 1.5 s, so the per-minute spacing is 750 ms / 40 ≈ 19 ms.
      const timeScale = 40;
      const pacers = stores.map((store) => new BudgetPacer({ store, timeScale }));
      const starts: number[] = [];
      await Promise.all(
        pacers.map(async (pacer) => {
          for (let i = 0; i < 12; i++) {
            const done = await pacer.acquire('write');
            starts.push(Date.now());
            done();
          }
          await pacer.flush();
        }),
      );
      starts.sort((a, b) => a - b);
      const minute = 60_000 / timeScale;
      let busiest = 0;
      for (const t of starts) busiest = Math.max(busiest, starts.filter((s) => s >= t && s < t + minute).length);
      expect(starts).toHaveLength(48);
      expect(busiest).toBeLessThanOrEqual(80);
      // 48 writes cannot go faster than 47 spacings of one shared budget (less a little clock granularity).
      expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(
        writeFloorMs(48, GITHUB_WRITE_LIMITS) / timeScale - 50,
      );
    } finally {
      for (const store of stores) await store.close();
    }
  });
});
