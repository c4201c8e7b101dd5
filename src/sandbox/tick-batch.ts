// Collects the calls made in one turn of the event loop and answers them with a single batched load (DataLoader-style).

/**
 * GraphQL resolves the 50 repositories of a page side by side, each asking for its own refs; gathering those asks
 * until the turn ends lets one pass (and one git process per object store) answer them all.
 */
export class TickBatch<K, V> {
  private queue: { key: K; resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];

  /** `loadMany` answers every key, a failure for one key rejecting only that key's callers. */
  constructor(private readonly loadMany: (keys: K[]) => Promise<PromiseSettledResult<V>[]>) {}

  load(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ key, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.loadMany(batch.map((b) => b.key)).then(
      (results) =>
        batch.forEach((b, i) => {
          const r = results[i];
          if (r?.status === 'fulfilled') b.resolve(r.value);
          else b.reject(r?.reason ?? new Error('batch returned no answer'));
        }),
      (err: unknown) => {
        for (const b of batch) b.reject(err);
      },
    );
  }
}
