// The ETag cache stays bounded, drops the least recently used answer first and hands out copies.

import { describe, expect, it } from 'vitest';
import { EtagCache } from './etag-cache.js';

const answer = (etag: string, data: unknown) => ({ etag, status: 200, url: 'https://x/y', headers: { etag }, data });

describe('EtagCache', () => {
  it('keeps at most maxEntries answers, evicting the least recently used', () => {
    const cache = new EtagCache(2);
    cache.remember('a', answer('"1"', { n: 1 }));
    cache.remember('b', answer('"2"', { n: 2 }));
    expect(cache.etagOf('a')).toBe('"1"'); // a is now the most recently used
    cache.remember('c', answer('"3"', { n: 3 }));
    expect(cache.size).toBe(2);
    expect(cache.etagOf('b')).toBeUndefined();
    expect(cache.etagOf('a')).toBe('"1"');
    expect(cache.etagOf('c')).toBe('"3"');
    expect(cache.stats.evictions).toBe(1);
  });

  it('returns a copy on reuse, so callers cannot change the cached body', () => {
    const cache = new EtagCache(4);
    cache.remember('k', answer('"x"', { list: [1, 2] }));
    const got = cache.reuse('k')!;
    (got.data as { list: number[] }).list.push(3);
    expect(cache.reuse('k')!.data).toEqual({ list: [1, 2] });
    expect(cache.stats.hits).toBe(2);
  });

  it('refuses a size that is not a positive whole number', () => {
    expect(() => new EtagCache(0)).toThrow(RangeError);
  });
});
