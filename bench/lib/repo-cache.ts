// Caches expensive generated fixtures under bench/work/<key>/, rebuilt only when missing or half-written.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CachedFixture<T> {
  /** The fixture directory, `<workDir>/<key>/`. */
  dir: string;
  meta: T;
  /** True when the fixture came from the cache. */
  cached: boolean;
}

/**
 * Return the fixture stored under `key`, or build it. The key must change whenever the build would produce
 * something different (size, generator version); a `ready.json` marker written last makes half-built
 * fixtures (an interrupted run) count as missing.
 */
export async function cachedFixture<T>(
  workDir: string,
  key: string,
  build: (dir: string) => Promise<T>,
): Promise<CachedFixture<T>> {
  const dir = join(workDir, key);
  const marker = join(dir, 'ready.json');
  try {
    return { dir, meta: JSON.parse(await readFile(marker, 'utf8')) as T, cached: true };
  } catch {
    // Missing or unreadable marker: rebuild from scratch below.
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const meta = await build(dir);
  await writeFile(marker, `${JSON.stringify(meta, null, 2)}\n`);
  return { dir, meta, cached: false };
}
