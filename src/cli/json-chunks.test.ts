import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonChunks } from './json-chunks.js';

const joined = (value: Record<string, unknown>): string => [...jsonChunks(value)].join('');

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
    expect(pieces.join('')).toBe(JSON.stringify(value));
    // Streamed, not one string: the causes and the notes each come in several pieces.
    expect(pieces.length).toBeGreaterThan(8);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(JSON.stringify(value).length / 2);
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
