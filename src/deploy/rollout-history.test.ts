// Which digest a release's roll-out deployed, as `cutter verify` reads it from the roll-out history.

import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store.js';
import type { RolloutRecord } from './rollback.js';
import { kvRolloutHistory, releaseRollout } from './rollout-history.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const record = (over: Partial<RolloutRecord>): RolloutRecord => ({
  connectorId: 'connector-x',
  image: `ghcr.io/acme/connector-x@${digest('a')}`,
  repo: 'acme/connector-x',
  tag: 'v1.4.2',
  version: '1.4.2',
  at: '2026-03-01T10:00:00.000Z',
  kind: 'rollout',
  ok: true,
  ...over,
});
const release = { repo: 'acme/connector-x', tag: 'v1.4.2', image: 'ghcr.io/acme/connector-x:1.4.2' };

describe('releaseRollout', () => {
  it('finds the latest successful roll-out of the release, with the digest it ran', () => {
    const records = [
      record({ at: '2026-03-01T12:00:00.000Z', image: `ghcr.io/acme/connector-x@${digest('b')}`, taskId: 't2' }),
      record({ taskId: 't1' }),
    ];
    expect(releaseRollout(records, release)).toMatchObject({ taskId: 't2', digest: digest('b') });
  });

  it('ignores failed roll-outs, rollbacks, other releases, other repositories and other image repositories', () => {
    const records = [
      record({ ok: false }),
      record({ kind: 'rollback' }),
      record({ tag: 'v1.4.1' }),
      record({ repo: 'acme/connector-y' }),
      record({ image: `ghcr.io/acme/connector-x-worker@${digest('c')}` }),
    ];
    expect(releaseRollout(records, release)).toBeNull();
  });

  it('knows nothing of a digest when the image was rolled out by tag', () => {
    expect(releaseRollout([record({ image: 'ghcr.io/acme/connector-x:1.4.2' })], release)).toBeNull();
  });

  it('matches a record without a tag by its version (records from before tags were kept)', () => {
    const { tag: _tag, ...untagged } = record({});
    expect(releaseRollout([untagged], release)?.digest).toBe(digest('a'));
    expect(releaseRollout([untagged], { ...release, tag: 'v1.4.3' })).toBeNull();
  });
});

describe('kvRolloutHistory', () => {
  it('keeps the success of a task retried after its failed roll-out, and each outcome once', async () => {
    const store = new SqliteStore(':memory:');
    try {
      const history = kvRolloutHistory(store);
      await history.append(record({ taskId: 't1', ok: false }));
      await history.append(record({ taskId: 't1', ok: false }));
      await history.append(record({ taskId: 't1', ok: true, at: '2026-03-01T11:00:00.000Z' }));
      await history.append(record({ taskId: 't1', ok: true, at: '2026-03-01T11:00:00.000Z' }));
      expect((await history.list()).map((r) => r.ok)).toEqual([false, true]);
      expect((await history.currentImages()).get('connector-x')?.taskId).toBe('t1');
    } finally {
      await store.close();
    }
  });
});
