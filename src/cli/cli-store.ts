// The store a command works on: the shared Postgres of CUTTER_DATABASE_URL when set, else the SQLite file of --db.

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CutterError } from '../core/errors.js';
import type { Store } from '../store/types.js';

export interface CliStoreOptions {
  /** The command only reads or retries what a server wrote: a missing SQLite file is an error, not a new store. */
  mustExist?: boolean;
  env?: Record<string, string | undefined>;
}

export async function openCliStore(db: string, options: CliStoreOptions = {}): Promise<Store> {
  const { isPostgresUrl, openStore } = await import('../store/index.js');
  const url = (options.env ?? process.env)['CUTTER_DATABASE_URL']?.trim();
  if (url) {
    if (!isPostgresUrl(url)) {
      throw new CutterError('CUTTER_BAD_INPUT', 'CUTTER_DATABASE_URL must be a postgres:// URL', {
        hint: 'e.g. postgres://cutter@db.internal:5432/cutter; leave it unset for the SQLite file of --db',
      });
    }
    return openStore(url);
  }
  if (db !== ':memory:' && !existsSync(db)) {
    // A typo in --db must not silently create an empty store and report "no tasks".
    if (options.mustExist) {
      throw new CutterError('CUTTER_NOT_FOUND', `no store at ${db}`, {
        hint: 'pass the --db that `cutter serve` uses (default .cutter/cutter.db), or set CUTTER_DATABASE_URL',
      });
    }
    await mkdir(dirname(db), { recursive: true });
  }
  const { SqliteStore } = await import('../store/sqlite-store.js');
  return new SqliteStore(db);
}
