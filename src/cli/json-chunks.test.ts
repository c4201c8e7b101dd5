import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonChunks, LazyJsonArray, Utf8JsonString } from './json-chunks.js';

/** The pieces as the bytes a stream receives, decoded once (a byte piece may end inside a character). */
const bytesOf = (pieces: (string | Uint8Array)[]): string =>
  Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))).toString('utf8');
const joined = (value: Record<string, unknown>): string => bytesOf([...jsonChunks(value)]);

describe('jsonChunks', () => {
  it('joins to exactly what JSON.stringify writes for a plan-shaped object', () => {
    const causes = Array.from({ length: 2500 }, (_, i) => ({
      hash: `h${i}`,
      header: `feat: café ${i}`,
      bump: 'minor',
    }));
    const notes = Array.from({ length: 20_000 }, (_, i) => `- **scope:** thing "${i}" \\ 😀 \u0007`).join('\n');
    const value = { dryRun: true, lastTag: null, causes, empty: [], notes, skip: undefined, nested: { a: [1, 2] } };
    const pieces = [...jsonChunks(value)];
    expect(bytesOf(pieces)).toBe(JSON.stringify(value));
    // Streamed, not one string: the causes and the notes each come in several pieces.
    expect(pieces.length).toBeGreaterThan(8);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(JSON.stringify(value).length / 2);
  });

  it('makes the elements of a lazy array one piece at a time, and writes what JSON.stringify writes', () => {
    const asked: number[] = [];
    const lazy = new LazyJsonArray(2500, (start, end) => {
      asked.push(end - start);
      return Array.from({ length: end - start }, (_, i) => ({ n: start + i, gone: undefined }));
    });
    const value = { before: 1, causes: lazy, empty: new LazyJsonArray(0, () => []) };
    expect(joined(value)).toBe(JSON.stringify(value));
    expect(joined(value)).toBe(JSON.stringify({ ...value, causes: lazy.toJSON(), empty: [] }));
    // jsonChunks asked for 3 pieces, JSON.stringify twice for all of them (through toJSON).
    expect(asked.slice(0, 3)).toEqual([1000, 1000, 500]);
  });

  it('writes a string held as UTF-8 as JSON.stringify writes the string, escaped from its bytes', () => {
    const controls = Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).join('');
    for (const text of ['', 'plain', `${'- "q" \\ é 😀 \u2028 \u2029 \u007f '.repeat(6000)}${controls}`]) {
      const value = { before: 1, notes: new Utf8JsonString(Buffer.from(text, 'utf8')), after: 'x' };
      expect(joined(value)).toBe(JSON.stringify({ before: 1, notes: text, after: 'x' }));
      if (text.length > 100_000) expect([...jsonChunks(value)].length).toBeGreaterThan(10);
      expect(JSON.stringify(value)).toBe(JSON.stringify({ before: 1, notes: text, after: 'x' }));
    }
  });

  it('never cuts a long string inside a surrogate pair or an escape', () => {
    const emoji = '😀'.repeat(40_000); // 80k UTF-16 units, line feeds only near the end
    const value = { notes: `${emoji}\n${'\ud83d'}${'x'.repeat(70_000)}\n${emoji}` };
    expect(joined(value)).toBe(JSON.stringify(value));
  });

  it('writes what has no JSON form in an array as null, and leaves such members out', () => {
    const value = { list: [undefined, () => 1, Symbol('s'), 1], gone: undefined, fn: () => 2, last: 'x' };
    expect(joined(value)).toBe(JSON.stringify(value));
    expect(joined({ only: undefined })).toBe('{}');
  });

  it('agrees with JSON.stringify on arbitrary objects', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        expect(joined(value)).toBe(JSON.stringify(value));
      }),
    );
  });
});
