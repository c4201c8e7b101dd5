// Opens the store a URL names: a SQLite file today (`sqlite:path` or a plain path), Postgres later.

import { CutterError } from '../core/errors.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import type { Store } from './types.js';

export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export type * from './types.js';
export { TERMINAL_STATUSES } from './types.js';

/**
 * `sqlite:/var/lib/cutter.db`, `sqlite:cutter.db?synchronous=FULL`, `./cutter.db` or `:memory:`;
 * `postgres://…` is not supported yet.
 */
export async function openStore(urlOrPath: string, options: SqliteStoreOptions = {}): Promise<Store> {
  const target = urlOrPath.trim();
  if (!target) {
    throw new CutterError('CUTTER_BAD_INPUT', 'no store given', {
      hint: 'pass a SQLite file path, e.g. sqlite:cutter.db',
    });
  }
  if (/^postgres(ql)?:\/\//i.test(target)) {
    throw new CutterError('CUTTER_NOT_SUPPORTED', 'the Postgres store is not supported yet', {
      hint: 'use a SQLite file for now, e.g. --store sqlite:cutter.db',
    });
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
      hint: 'use sqlite:PATH or a file path',
    });
  }
  return new SqliteStore(target, options);
}
