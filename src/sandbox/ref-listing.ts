// Ref listings of many bare repos at once: git's ref files read directly, tags peeled in shared batches, cached by stamp.

import { catFileAcross, type GitRunner, parseBatch } from './object-batch.js';
import { readRefFiles, stampChanged } from './ref-files.js';
import { TickBatch } from './tick-batch.js';

/** One ref of a repo, annotated tags peeled; the shape GitStore.listRefs returns. */
export interface ListedRef {
  ref: string;
  sha: string;
  type: string;
  /** The commit an annotated tag points at; equal to sha for refs that point at commits. */
  peeled: string;
}

/** Facts about an object that never change (a sha names the same object forever). */
interface Peel {
  type: string;
  peeled: string;
}

const PEEL_CACHE_LIMIT = 200_000;

export class RefListings {
  private readonly cache = new Map<string, { stamp: Map<string, string>; refs: ListedRef[] }>();
  private readonly peels = new Map<string, Peel>();
  private readonly batch = new TickBatch<string, ListedRef[]>((dirs) => this.loadMany(dirs));

  /**
   * @param run runs git in a repo directory (for peeling objects)
   * @param askGit lists refs with `git for-each-ref`, for repos whose refs these files do not describe (reftable)
   * @param onCommit told every commit object read on the way (the commit a ref peels to), so that the dates a
   *   GraphQL query orders tags by cost no second git process
   */
  constructor(
    private readonly run: GitRunner,
    private readonly askGit: (dir: string) => Promise<ListedRef[]>,
    private readonly onCommit: (sha: string, raw: Buffer) => void = () => {},
  ) {}

  /** Forget a repo's listing (after a write the sandbox made itself; outside writes are caught by the stamp). */
  invalidate(dir: string): void {
    this.cache.delete(dir);
  }

  /** All refs of a bare repo, sorted by name; calls made in the same turn are answered together. */
  list(dir: string): Promise<ListedRef[]> {
    return this.batch.load(dir);
  }

  private async loadMany(keys: string[]): Promise<PromiseSettledResult<ListedRef[]>[]> {
    const dirs = [...new Set(keys)];
    const results = new Map<string, PromiseSettledResult<ListedRef[]>>();
    const stale: string[] = [];
    await Promise.all(
      dirs.map(async (dir) => {
        const hit = this.cache.get(dir);
        if (hit && !(await stampChanged(hit.stamp))) results.set(dir, { status: 'fulfilled', value: hit.refs });
        else stale.push(dir);
      }),
    );
    if (this.peels.size > PEEL_CACHE_LIMIT) this.peels.clear();
    const snapshots = await Promise.all(stale.map((dir) => readRefFiles(dir).then((s) => ({ dir, ...s }))));
    // Every object whose type or peeled commit the files do not say, and the commit of every packed annotated tag,
    // across all repos, in one `cat-file --batch` per shared object store: `<oid>^{}` answers with the object a
    // ref finally names, so its type, its peeled sha and (for commits) its content come back in one record.
    const asks: { dir: string; name: string; oid: string; packedTag: boolean }[] = [];
    for (const s of snapshots) {
      if (s.foreign) continue;
      for (const entry of s.refs.values()) {
        if (entry.peeled) asks.push({ dir: s.dir, name: entry.peeled, oid: entry.oid, packedTag: true });
        else if (!this.peels.has(entry.oid))
          asks.push({ dir: s.dir, name: `${entry.oid}^{}`, oid: entry.oid, packedTag: false });
      }
    }
    const answers = await catFileAcross(this.run, asks, ['--batch'], parseBatch);
    const missing = new Set<string>();
    asks.forEach((a, i) => {
      const found = answers[i];
      if (found?.type === 'commit') this.onCommit(found.sha, found.content);
      if (a.packedTag) return;
      if (!found) missing.add(`${a.dir}\0${a.oid}`);
      else
        this.peels.set(
          a.oid,
          found.sha === a.oid ? { type: found.type, peeled: a.oid } : { type: 'tag', peeled: found.sha },
        );
    });
    await Promise.all(
      snapshots.map(async (s) => {
        try {
          let refs: ListedRef[];
          if (s.foreign) refs = await this.askGit(s.dir);
          else {
            refs = [];
            for (const [ref, entry] of s.refs) {
              if (entry.peeled) {
                refs.push({ ref, sha: entry.oid, type: 'tag', peeled: entry.peeled });
                continue;
              }
              // a ref to an object the repo lacks is broken: git for-each-ref leaves it out too
              if (missing.has(`${s.dir}\0${entry.oid}`)) continue;
              const peel = this.peels.get(entry.oid);
              if (peel) refs.push({ ref, sha: entry.oid, type: peel.type, peeled: peel.peeled });
            }
            refs.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
          }
          this.cache.set(s.dir, { stamp: s.stamp, refs });
          results.set(s.dir, { status: 'fulfilled', value: refs });
        } catch (reason) {
          results.set(s.dir, { status: 'rejected', reason });
        }
      }),
    );
    return keys.map((k) => results.get(k) ?? { status: 'rejected', reason: new Error(`no listing for ${k}`) });
  }
}
