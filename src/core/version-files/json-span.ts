// Finds where a value at a key path sits in JSON text, so editors can replace exactly those bytes.
import { unparsable } from './editor.js';

export interface JsonValueSpan {
  start: number;
  end: number;
  /** The first character of the value: `"` for a string, `{` for an object… */
  kind: 'string' | 'number' | 'object' | 'array' | 'literal';
}

/**
 * The span of the value at each path (object keys, or array indexes as decimal strings), null where absent.
 * A duplicated key resolves to its last occurrence, as `JSON.parse` does. Unparsable text is an error.
 */
export function findJsonValues(
  text: string,
  paths: readonly (readonly string[])[],
  file: string,
): (JsonValueSpan | null)[] {
  // JSON.parse is the judge of validity (and fast); the scanner below then only has to find offsets.
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  try {
    JSON.parse(bom ? text.slice(1) : text);
  } catch (err) {
    throw unparsable(file, err instanceof Error ? err.message : String(err), 'fix the JSON syntax first');
  }
  // One pass per path: values off the path are skipped by bracket counting, so each pass is cheap.
  return paths.map((path) => new Scanner(text, bom).value(path, 0));
}

class Scanner {
  private i: number;
  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.i = start;
  }

  /** Scans one value; returns the span found for `path` when `depth` reached its end, else inside. */
  value(path: readonly string[], depth: number): JsonValueSpan | null {
    this.ws();
    const start = this.i;
    const ch = this.text[this.i];
    if ((ch === '{' || ch === '[') && path === SKIP) {
      this.skipContainer();
      return null;
    }
    if (ch === '{') return this.object(path, depth, start);
    if (ch === '[') return this.array(path, depth, start);
    if (ch === '"') {
      this.string();
      return depth === path.length ? { start, end: this.i, kind: 'string' } : null;
    }
    // Numbers and true/false/null: up to the next delimiter.
    while (this.i < this.text.length && !isDelimiter(this.text.charCodeAt(this.i))) this.i++;
    if (depth !== path.length) return null;
    return { start, end: this.i, kind: /[-\d]/.test(ch ?? '') ? 'number' : 'literal' };
  }

  private object(path: readonly string[], depth: number, start: number): JsonValueSpan | null {
    let found: JsonValueSpan | null = null;
    this.i++; // {
    this.ws();
    if (this.text[this.i] === '}') {
      this.i++;
    } else {
      for (;;) {
        this.ws();
        const keyStart = this.i;
        this.string();
        const key = JSON.parse(this.text.slice(keyStart, this.i)) as string;
        this.ws();
        this.i++; // :
        const wanted = depth < path.length && key === path[depth];
        const inner = this.value(wanted ? path : SKIP, depth + 1);
        if (wanted && inner) found = inner;
        this.ws();
        if (this.text[this.i++] === '}') break; // else ','
      }
    }
    return depth === path.length ? { start, end: this.i, kind: 'object' } : found;
  }

  private array(path: readonly string[], depth: number, start: number): JsonValueSpan | null {
    let found: JsonValueSpan | null = null;
    this.i++; // [
    this.ws();
    if (this.text[this.i] === ']') {
      this.i++;
    } else {
      for (let index = 0; ; index++) {
        const wanted = depth < path.length && String(index) === path[depth];
        const inner = this.value(wanted ? path : SKIP, depth + 1);
        if (wanted && inner) found = inner;
        this.ws();
        if (this.text[this.i++] === ']') break;
      }
    }
    return depth === path.length ? { start, end: this.i, kind: 'array' } : found;
  }

  // Off the path (most of a lock file): count brackets, jumping over strings, without decoding keys.
  private skipContainer(): void {
    let depth = 0;
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.i);
      if (c === 0x22) {
        this.string();
        continue;
      }
      this.i++;
      if (c === 0x7b || c === 0x5b) depth++;
      else if ((c === 0x7d || c === 0x5d) && --depth === 0) return;
    }
  }

  private string(): void {
    // Jump from quote to quote; a quote preceded by an odd run of backslashes is escaped.
    let j = this.i + 1;
    for (;;) {
      const q = this.text.indexOf('"', j);
      let backslashes = 0;
      for (let k = q - 1; this.text[k] === '\\'; k--) backslashes++;
      if (backslashes % 2 === 0) {
        this.i = q + 1;
        return;
      }
      j = q + 1;
    }
  }

  private ws(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.i++;
    }
  }
}

// JSON whitespace (space, LF, CR, tab) and the characters that end a number or a literal.
function isDelimiter(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2c || c === 0x5d || c === 0x7d;
}

// A path no key can match ("" is a valid key, so an impossible depth is used instead): values are skipped.
const SKIP: readonly string[] = [];
