import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NulFieldSplitter } from './nul-field-splitter.js';

function split(bytes: Buffer, cuts: number[]): { fields: string[]; partial: boolean } {
  const splitter = new NulFieldSplitter();
  const fields: string[] = [];
  let from = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b)) {
    // A fresh copy per chunk that is then overwritten: the splitter must not keep the caller's memory.
    const chunk = Buffer.from(bytes.subarray(from, cut));
    splitter.push(chunk, (f) => fields.push(f));
    chunk.fill(0x78);
    from = cut;
  }
  splitter.push(Buffer.from(bytes.subarray(from)), (f) => fields.push(f));
  return { fields, partial: splitter.hasPartialField() };
}

describe('NulFieldSplitter', () => {
  it('emits whole fields, empty ones included, and carries a partial field across chunks', () => {
    const bytes = Buffer.from('ab\0\0c✨d\0tail', 'utf8');
    const sparkle = bytes.indexOf(Buffer.from('✨'));
    const out = split(bytes, [1, 3, sparkle + 1, sparkle + 2]);
    expect(out.fields).toEqual(['ab', '', 'c✨d']);
    expect(out.partial).toBe(true);
  });

  it('decodes invalid UTF-8 to U+FFFD without swallowing the separator', () => {
    const bytes = Buffer.from([0x61, 0xe2, 0x9c, 0, 0x62, 0xff, 0]);
    expect(split(bytes, [2]).fields).toEqual(['a\ufffd', 'b\ufffd']);
  });

  it('gives the same fields whatever the chunk boundaries (property)', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '\n', 'é', '✨', '🎉'), maxLength: 12 });
    fc.assert(
      fc.property(fc.array(field, { maxLength: 8 }), fc.array(fc.nat(200), { maxLength: 12 }), (fields, cuts) => {
        const bytes = Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');
        const out = split(bytes, cuts);
        expect(out.fields).toEqual(fields);
        expect(out.partial).toBe(false);
      }),
    );
  });
});
