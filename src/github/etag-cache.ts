// A bounded LRU of REST GET answers by ETag, so repeated reads go out conditional and a 304 reuses the body.

/** One cached answer: what Octokit would have returned, and the validator to send next time. */
export interface CachedAnswer {
  etag: string;
  status: number;
  url: string;
  headers: Record<string, unknown>;
  data: unknown;
}

export interface EtagCacheStats {
  /** 304 answers served from the cache. */
  hits: number;
  /** 200 answers with an ETag stored. */
  stored: number;
  evictions: number;
}

/** A Map keeps insertion order: re-inserting on every use makes its first key the least recently used. */
export class EtagCache {
  readonly stats: EtagCacheStats = { hits: 0, stored: 0, evictions: 0 };
  private readonly entries = new Map<string, CachedAnswer>();

  constructor(readonly maxEntries = 2_000) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a whole number >= 1');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The validator for a request key, refreshing its place in the LRU order. */
  etagOf(key: string): string | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.etag;
  }

  /** The stored answer after a 304; a fresh copy, so a caller mutating it cannot change what the cache holds. */
  reuse(key: string): CachedAnswer | undefined {
    const hit = this.entries.get(key);
    if (hit) this.stats.hits++;
    return hit ? structuredClone(hit) : undefined;
  }

  remember(key: string, answer: CachedAnswer): void {
    this.stats.stored++;
    this.entries.delete(key);
    this.entries.set(key, structuredClone(answer));
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.stats.evictions++;
    }
  }
}
