// Scans TOML text for its key/value entries and their byte spans, so editors can replace one value in place.
import { unparsable } from './editor.js';

export interface TomlEntry {
  /** Full key path: table header keys then the (possibly dotted) key; array tables add a `[]` segment. */
  path: string[];
  /** Span of the value token, quotes included. */
  start: number;
  end: number;
  /** `string` only for one-line basic (`"…"`) or literal (`'…'`) strings, the ones an editor may replace. */
  kind: 'string' | 'other';
  quote: '"' | "'" | null;
}

const BARE_KEY = /[A-Za-z0-9_-]/;
const HINT = 'fix the TOML syntax first (see https://toml.io)';

/**
 * Every top-level and table entry of the document (entries inside inline tables and arrays are not listed).
 * Not a full TOML validator: it checks the line structure (tables, `key = value`, comments), which is what
 * locating a value needs, and reports the first line that does not fit.
 */
export function scanToml(text: string, file: string): TomlEntry[] {
  return new TomlScanner(text, file).scan();
}

class TomlScanner {
  private pos = 0;
  private readonly entries: TomlEntry[] = [];
  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  scan(): TomlEntry[] {
    const t = this.text;
    let table: string[] = [];
    // `[[a]]` then `[a.b]` makes b a table of the last `a` element: its path is a.[].b, not a.b.
    const arrayTables = new Set<string>();
    const withArrays = (key: string[]) =>
      key.flatMap((part, i) => (arrayTables.has(key.slice(0, i + 1).join('\u0000')) ? [part, '[]'] : [part]));
    if (t.charCodeAt(0) === 0xfeff) this.pos = 1;
    while (this.pos < t.length) {
      this.spaces();
      const c = t[this.pos];
      if (c === undefined) break;
      if (c === '\n' || c === '\r') {
        this.pos++;
        continue;
      }
      if (c === '#') {
        this.toLineEnd();
        continue;
      }
      if (c === '[') {
        const arrayTable = t[this.pos + 1] === '[';
        this.pos += arrayTable ? 2 : 1;
        const key = this.key();
        this.spaces();
        if (!t.startsWith(arrayTable ? ']]' : ']', this.pos)) this.fail('a table header is not closed with ]');
        this.pos += arrayTable ? 2 : 1;
        if (arrayTable) arrayTables.add(key.join('\u0000'));
        table = withArrays(key);
        this.endOfLine();
        continue;
      }
      const key = this.key();
      this.spaces();
      if (t[this.pos] !== '=') this.fail('expected `key = value`, a [table] or a # comment');
      this.pos++;
      this.spaces();
      const value = this.value();
      this.entries.push({ path: [...table, ...key], ...value });
      this.endOfLine();
    }
    return this.entries;
  }

  private key(): string[] {
    const t = this.text;
    const parts: string[] = [];
    for (;;) {
      this.spaces();
      const c = t[this.pos];
      if (c === '"' || c === "'") {
        const start = this.pos;
        this.oneLineString(c);
        const raw = t.slice(start, this.pos);
        parts.push(c === '"' ? (JSON.parse(raw) as string) : raw.slice(1, -1));
      } else {
        const start = this.pos;
        while (BARE_KEY.test(t[this.pos] ?? '')) this.pos++;
        if (this.pos === start) this.fail('expected a key');
        parts.push(t.slice(start, this.pos));
      }
      this.spaces();
      if (t[this.pos] !== '.') return parts;
      this.pos++;
    }
  }

  private value(): Omit<TomlEntry, 'path'> {
    const t = this.text;
    const start = this.pos;
    const c = t[this.pos];
    if (t.startsWith('"""', this.pos) || t.startsWith("'''", this.pos)) {
      const delim = t.slice(this.pos, this.pos + 3);
      const close = this.findUnescaped(delim, this.pos + 3, delim === '"""');
      this.pos = close + 3;
      // A multi-line string may end with up to two more quotes (`""""`): they belong to the content.
      while (t[this.pos] === delim[0]) this.pos++;
      return { start, end: this.pos, kind: 'other', quote: null };
    }
    if (c === '"' || c === "'") {
      this.oneLineString(c);
      return { start, end: this.pos, kind: 'string', quote: c };
    }
    if (c === '[' || c === '{') {
      this.nested();
      return { start, end: this.pos, kind: 'other', quote: null };
    }
    while (this.pos < t.length && !/[\s#,\]}]/.test(t[this.pos] ?? '')) this.pos++;
    if (this.pos === start) this.fail('expected a value after =');
    // Dates may hold one space (`1979-05-27 07:32:00Z`); take the time part too.
    if (/^\d{4}-\d{2}-\d{2}$/.test(t.slice(start, this.pos)) && / \d{2}:/.test(t.slice(this.pos, this.pos + 4))) {
      this.pos++;
      while (this.pos < t.length && !/[\s#,\]}]/.test(t[this.pos] ?? '')) this.pos++;
    }
    return { start, end: this.pos, kind: 'other', quote: null };
  }

  // Arrays and inline tables, possibly over several lines: brackets are counted outside strings and comments.
  private nested(): void {
    const t = this.text;
    let depth = 0;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === '[' || c === '{') {
        depth++;
        this.pos++;
      } else if (c === ']' || c === '}') {
        depth--;
        this.pos++;
        if (depth === 0) return;
      } else if (c === '#') {
        this.toLineEnd();
      } else if (t.startsWith('"""', this.pos) || t.startsWith("'''", this.pos)) {
        const delim = t.slice(this.pos, this.pos + 3);
        this.pos = this.findUnescaped(delim, this.pos + 3, delim === '"""') + 3;
      } else if (c === '"' || c === "'") {
        this.oneLineString(c);
      } else {
        this.pos++;
      }
    }
    this.fail('an array or inline table is not closed');
  }

  private oneLineString(quote: string): void {
    const t = this.text;
    let i = this.pos + 1;
    while (i < t.length) {
      const c = t[i];
      if (c === '\n') break;
      if (quote === '"' && c === '\\') {
        i += 2;
        continue;
      }
      if (c === quote) {
        this.pos = i + 1;
        return;
      }
      i++;
    }
    this.fail('a string is not closed on its line');
  }

  private findUnescaped(delim: string, from: number, escapes: boolean): number {
    let i = from;
    for (;;) {
      const at = this.text.indexOf(delim, i);
      if (at < 0) this.fail('a multi-line string is not closed');
      let backslashes = 0;
      for (let k = at - 1; escapes && this.text[k] === '\\'; k--) backslashes++;
      if (backslashes % 2 === 0) return at;
      i = at + 1;
    }
  }

  private endOfLine(): void {
    this.spaces();
    const c = this.text[this.pos];
    if (c === '#') this.toLineEnd();
    else if (c !== undefined && c !== '\n' && c !== '\r') this.fail('unexpected text after the value');
  }

  private spaces(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') this.pos++;
  }

  private toLineEnd(): void {
    const nl = this.text.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.text.length : nl;
  }

  private fail(reason: string): never {
    const line = this.text.slice(0, this.pos).split('\n').length;
    throw unparsable(this.file, `line ${line}: ${reason}`, HINT);
  }
}

/** The entry at exactly this key path, or undefined. */
export function tomlEntry(entries: readonly TomlEntry[], path: readonly string[]): TomlEntry | undefined {
  return entries.find((e) => e.path.length === path.length && e.path.every((p, i) => p === path[i]));
}

/** True when some entry lives at or below this path (e.g. `package.version.workspace` under `package.version`). */
export function tomlHasPrefix(entries: readonly TomlEntry[], path: readonly string[]): boolean {
  return entries.some((e) => e.path.length >= path.length && path.every((p, i) => e.path[i] === p));
}
