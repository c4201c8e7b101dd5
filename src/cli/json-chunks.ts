// Serialises one JSON object as a sequence of strings, so a 100k-commit plan never becomes one multi-MB string.

/** Array elements serialised together per piece: big enough to keep writes few, small enough to stay cheap. */
const ELEMENTS_PER_PIECE = 1000;
/** Strings longer than this are serialised in pieces cut after a line feed. */
const LONG_STRING = 64 * 1024;

/**
 * The pieces of `JSON.stringify(value)` for a plain object, in order: joined they are byte-identical to it.
 * Top-level arrays are cut every `ELEMENTS_PER_PIECE` elements and long strings after line feeds (never inside a
 * surrogate pair, which JSON.stringify would then escape differently); everything else is one piece per key.
 */
export function* jsonChunks(value: Record<string, unknown>): Generator<string, void, undefined> {
  let first = true;
  yield '{';
  for (const [key, member] of Object.entries(value)) {
    const head = `${first ? '' : ','}${JSON.stringify(key)}:`;
    if (Array.isArray(member)) {
      first = false;
      yield `${head}[`;
      for (let i = 0; i < member.length; i += ELEMENTS_PER_PIECE) {
        const piece = member
          .slice(i, i + ELEMENTS_PER_PIECE)
          .map(elementJson)
          .join(',');
        yield i === 0 ? piece : `,${piece}`;
      }
      yield ']';
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

/** An array element as JSON.stringify writes it inside an array: what has no JSON form becomes null. */
function elementJson(element: unknown): string {
  return JSON.stringify(element) ?? 'null';
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
