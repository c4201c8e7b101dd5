import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store.js';
import { kvThreadStore } from './kv-thread-store.js';

describe('kvThreadStore', () => {
  it('keeps the first parent of a conversation across store handles (a restart)', async () => {
    const store = new SqliteStore(':memory:');
    try {
      const threads = kvThreadStore(store);
      expect(await threads.get('acme/x@v1.0.0')).toBeUndefined();
      await threads.set('acme/x@v1.0.0', '1700000001.000100');
      // a second first message racing the first one does not move the thread
      await threads.set('acme/x@v1.0.0', '1700000002.000100');
      expect(await kvThreadStore(store).get('acme/x@v1.0.0')).toBe('1700000001.000100');
      expect(await kvThreadStore(store).get('acme/x@v1.0.1')).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
