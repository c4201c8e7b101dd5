// The sandbox's non-git state (orgs, repos, releases and their assets' metadata, pulls, hooks, statuses, check runs) in one SQLite file.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type DocKind = 'org' | 'repo' | 'release' | 'release_asset' | 'pull' | 'hook' | 'status' | 'check_run';

/**
 * Every record is a JSON document keyed by kind and a GitHub-style numeric id, scoped to an owner/repo.
 * Git data (refs, tags, commits) is deliberately absent: it is always read from the bare repos.
 */
export class SandboxState {
  private readonly db: Database.Database;
  /** Parsed list results per kind; any write to a kind drops that kind's entries (reads outnumber writes). */
  private readonly listCache = new Map<DocKind, Map<string, unknown[]>>();
  /** Statements by SQL text: every request looks its repo up, and compiling the SQL each time cost more than the lookup. */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(root: string) {
    mkdirSync(root, { recursive: true });
    this.db = new Database(join(root, 'sandbox.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS docs (
        kind TEXT NOT NULL, id INTEGER NOT NULL, owner TEXT NOT NULL, repo TEXT NOT NULL, key TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL, PRIMARY KEY (kind, id));
      DROP INDEX IF EXISTS docs_scope;
      CREATE INDEX IF NOT EXISTS docs_scope_id ON docs (kind, owner, repo, key, id);
      CREATE TABLE IF NOT EXISTS seq (kind TEXT PRIMARY KEY, next INTEGER NOT NULL);
    `);
  }

  private statement(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  /** Next id of a kind; ids start high enough to look like GitHub's and stay unique across restarts. */
  nextId(kind: string): number {
    const row = this.statement(
      'INSERT INTO seq (kind, next) VALUES (?, 1001) ON CONFLICT(kind) DO UPDATE SET next = next + 1 RETURNING next',
    ).get(kind) as { next: number };
    return row.next;
  }

  put<T>(kind: DocKind, id: number, scope: { owner: string; repo?: string; key?: string }, body: T): T {
    this.listCache.delete(kind);
    this.statement('INSERT OR REPLACE INTO docs (kind, id, owner, repo, key, body) VALUES (?, ?, ?, ?, ?, ?)').run(
      kind,
      id,
      scope.owner.toLowerCase(),
      (scope.repo ?? '').toLowerCase(),
      scope.key ?? '',
      JSON.stringify(body),
    );
    return body;
  }

  get<T>(kind: DocKind, id: number): T | null {
    const row = this.statement('SELECT body FROM docs WHERE kind = ? AND id = ?').get(kind, id) as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as T) : null;
  }

  /** Documents of a kind in one scope, oldest first; `key` narrows further (a repo name, a sha, a tag). */
  list<T>(kind: DocKind, owner: string, repo?: string, key?: string): T[] {
    const memoKey = `${owner.toLowerCase()}\0${repo?.toLowerCase() ?? '\u0001'}\0${key ?? '\u0001'}`;
    let perKind = this.listCache.get(kind);
    if (!perKind) {
      perKind = new Map();
      this.listCache.set(kind, perKind);
    }
    const hit = perKind.get(memoKey);
    // a copy of the array (callers sort it); the records themselves are treated as immutable values
    if (hit) return [...(hit as T[])];
    const rows = this.query<T>(kind, owner, repo, key);
    perKind.set(memoKey, rows);
    return [...rows];
  }

  private query<T>(kind: DocKind, owner: string, repo?: string, key?: string): T[] {
    // INDEXED BY: left alone, SQLite walks the primary key in id order to skip the sort, reading every doc of the kind.
    let sql = 'SELECT body FROM docs INDEXED BY docs_scope_id WHERE kind = ? AND owner = ?';
    const args: unknown[] = [kind, owner.toLowerCase()];
    if (repo !== undefined) {
      sql += ' AND repo = ?';
      args.push(repo.toLowerCase());
    }
    if (key !== undefined) {
      sql += ' AND key = ?';
      args.push(key);
    }
    sql += ' ORDER BY id';
    return (this.statement(sql).all(...args) as { body: string }[]).map((r) => JSON.parse(r.body) as T);
  }

  find<T>(kind: DocKind, owner: string, repo: string, key: string): T | null {
    const row = this.statement(
      'SELECT body FROM docs INDEXED BY docs_scope_id WHERE kind = ? AND owner = ? AND repo = ? AND key = ? ORDER BY id LIMIT 1',
    ).get(kind, owner.toLowerCase(), repo.toLowerCase(), key) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as T) : null;
  }

  remove(kind: DocKind, id: number): boolean {
    this.listCache.delete(kind);
    return this.statement('DELETE FROM docs WHERE kind = ? AND id = ?').run(kind, id).changes > 0;
  }

  /** Run many writes in one transaction (seeding a thousand repos must not fsync a thousand times). */
  transaction(fn: () => void): void {
    this.db.transaction(fn)();
  }

  close(): void {
    this.db.close();
  }
}
