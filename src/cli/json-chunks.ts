// Serialises one JSON object as a sequence of pieces, so a 100k-commit plan never becomes one multi-MB string.
import { Buffer } from 'node:buffer';

/** Array elements serialised together per piece: big enough to keep writes few, small enough to stay cheap. */
const ELEMENTS_PER_PIECE = 1000;
/**
 * Strings longer than this are serialised in pieces cut after a line feed. 16k characters keep a piece below V8's
 * large-object size even when escaped and two bytes per character, so it dies young: 64k pieces of a 100k-commit
 * plan's notes (emoji make it two-byte) went to the large-object space, which only a full collection empties.
 */
const LONG_STRING = 16 * 1024;

/**
 * An array whose elements are made only when serialised: `jsonChunks` asks for one piece of them at a time, and
 * anything else (JSON.stringify) sees the whole array through `toJSON`.
 */
export class LazyJsonArray<T> {
  constructor(
    readonly length: number,
    /** The elements `start`…`end - 1`, made now. */
    readonly slice: (start: number, end: number) => T[],
  ) {}

  toJSON(): T[] {
    return this.slice(0, this.length);
  }
}

/**
 * A string held as its UTF-8 (well-formed: from a UTF-8 decoding or encoding): `jsonChunks` writes it escaped from
 * the bytes, anything else (JSON.stringify) sees the string through `toJSON`.
 */
export class Utf8JsonString {
  constructor(readonly utf8: Uint8Array) {}

  toJSON(): string {
    return Buffer.from(this.utf8.buffer, this.utf8.byteOffset, this.utf8.byteLength).toString('utf8');
  }
}

/**
 * The pieces of `JSON.stringify(value)` for a plain object, in order: joined as UTF-8 bytes they are byte-identical
 * to it (a byte piece may end inside a character).
 * Top-level arrays are cut every `ELEMENTS_PER_PIECE` elements and long strings after line feeds (never inside a
 * surrogate pair, which JSON.stringify would then escape differently); everything else is one piece per key.
 */
export function* jsonChunks(value: Record<string, unknown>): Generator<string | Uint8Array, void, undefined> {
  let first = true;
  yield '{';
  for (const [key, member] of Object.entries(value)) {
    const head = `${first ? '' : ','}${JSON.stringify(key)}:`;
    if (Array.isArray(member) || member instanceof LazyJsonArray) {
      first = false;
      yield `${head}[`;
      for (let i = 0; i < member.length; i += ELEMENTS_PER_PIECE) {
        // One native call per piece, not one string per element (what has no JSON form becomes null in an array).
        const piece = JSON.stringify(member.slice(i, Math.min(i + ELEMENTS_PER_PIECE, member.length))).slice(1, -1);
        yield i === 0 ? piece : `,${piece}`;
      }
      yield ']';
    } else if (member instanceof Utf8JsonString) {
      first = false;
      yield `${head}"`;
      yield* escapedUtf8(member.utf8);
      yield '"';
    } else if (typeof member === 'string' && member.length > LONG_STRING) {
      first = false;
      yield `${head}"`;
      yield* longStringBody(member);
      yield '"';
    } else {
      const json = JSON.stringify(member);
      if (json === undefined) continue; // undefined, functions and symbols: left out, as JSON.stringify does
      first = false;
      yield `${head}${json}`;
    }
  }
  yield '}';
}

/** The escaped inside of a string literal, cut after line feeds into pieces of about `LONG_STRING` characters. */
function* longStringBody(text: string): Generator<string, void, undefined> {
  let start = 0;
  while (start < text.length) {
    let end = text.length;
    if (end - start > LONG_STRING) {
      const nl = text.indexOf('\n', start + LONG_STRING);
      if (nl !== -1) end = nl + 1;
    }
    yield JSON.stringify(text.slice(start, end)).slice(1, -1);
    start = end;
  }
}

/**
 * The escaped inside of the string literal of well-formed UTF-8 `text`, as UTF-8 in pieces of `LONG_STRING` bytes
 * (a piece may end inside a character: the bytes are what count). Read as Latin-1, each byte is one character
 * below U+0100, and JSON.stringify escapes there exactly what it escapes in well-formed text (quote, backslash,
 * controls, all ASCII): escaped and written back as Latin-1, the bytes are those of the escaped string. No string of
 * the text itself is made, and no two-byte one.
 */
function* escapedUtf8(text: Uint8Array): Generator<Uint8Array, void, undefined> {
  const bytes = Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  for (let start = 0; start < bytes.length; start += LONG_STRING) {
    const end = Math.min(bytes.length, start + LONG_STRING);
    const latin1 = bytes.toString('latin1', start, end);
    const escaped = JSON.stringify(latin1);
    yield escaped.length === latin1.length + 2
      ? bytes.subarray(start, end)
      : Buffer.from(escaped.slice(1, -1), 'latin1');
  }
}
