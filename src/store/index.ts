// Opens the store a URL names: a SQLite file (`sqlite:path` or a plain path) or a shared Postgres (`postgres://…`).

import { CutterError } from '../core/errors.js';
import type { PostgresStoreOptions } from './postgres-store.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import type { Store } from './types.js';

export type { PostgresStoreOptions } from './postgres-store.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export type * from './types.js';
export { TERMINAL_STATUSES } from './types.js';

/** A URL naming a shared Postgres store (CUTTER_DATABASE_URL), rather than a SQLite file. */
export function isPostgresUrl(urlOrPath: string): boolean {
  return /^postgres(ql)?:\/\//i.test(urlOrPath.trim());
}

/**
 * `sqlite:/var/lib/cutter.db`, `sqlite:cutter.db?synchronous=FULL`, `./cutter.db` or `:memory:`; or
 * `postgres://user:pass@host:5432/db` for several workers on one database (CUTTER_DATABASE_URL).
 */
export async function openStore(
  urlOrPath: string,
  options: SqliteStoreOptions & PostgresStoreOptions = {},
): Promise<Store> {
  const target = urlOrPath.trim();
  if (!target) {
    throw new CutterError('CUTTER_BAD_INPUT', 'no store given', {
      hint: 'pass a SQLite file path, e.g. sqlite:cutter.db',
    });
  }
  if (isPostgresUrl(target)) {
    // Loaded on demand: a SQLite user never pays for pg and graphile-worker at start-up.
    const { PostgresStore } = await import('./postgres-store.js');
    return PostgresStore.open(target, options);
  }
  if (target.startsWith('sqlite:')) {
    const [rest = '', query = ''] = target.slice('sqlite:'.length).split('?', 2);
    const path = rest.replace(/^\/\/(?=\/)/, '');
    const synchronous = new URLSearchParams(query).get('synchronous')?.toUpperCase();
    if (synchronous !== undefined && synchronous !== 'FULL' && synchronous !== 'NORMAL') {
      throw new CutterError('CUTTER_BAD_INPUT', `synchronous=${synchronous} is not supported`, {
        hint: 'use sqlite:PATH?synchronous=FULL or NORMAL',
      });
    }
    return new SqliteStore(path || ':memory:', synchronous ? { ...options, synchronous } : options);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    throw new CutterError('CUTTER_BAD_INPUT', `unknown store URL scheme in ${target.split('://')[0]}://`, {
      hint: 'use sqlite:PATH, a file path or postgres://USER@HOST/DB',
    });
  }
  return new SqliteStore(target, options);
}
