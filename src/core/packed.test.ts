import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntList, StringPool } from './packed.js';

describe('StringPool', () => {
  it('gives back every string exactly, across blocks, whatever it holds', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 60 }), (strings) => {
        const pool = new StringPool();
        for (const s of strings) pool.add(s);
        expect(pool.length).toBe(strings.length);
        expect(strings.map((_, i) => pool.get(i))).toEqual(strings);
        expect(pool.joined()).toBe(strings.join(''));
      }),
    );
  });

  it('fills block after block, and keeps a string larger than a block whole', () => {
    const pool = new StringPool();
    const strings = Array.from({ length: 30_000 }, (_, i) => `feat(api): change ${i} 🚀`);
    strings.splice(12_345, 0, 'x'.repeat(400_000), '');
    for (const s of strings) pool.add(s);
    for (const i of [0, 1, 9_999, 12_344, 12_345, 12_346, 12_347, strings.length - 1])
      expect(pool.get(i)).toBe(strings[i]);
    const utf8 = pool.utf8();
    expect(utf8!.length).toBeGreaterThan(2);
    expect(Buffer.concat(utf8!).toString('utf8')).toBe(strings.join(''));
    expect(pool.joined()).toBe(strings.join(''));
  });

  it('keeps a lone surrogate as it is, and then has no exact UTF-8 to give', () => {
    const pool = new StringPool();
    pool.add('ok');
    pool.add('\ud83d half');
    expect(pool.get(1)).toBe('\ud83d half');
    expect(pool.utf8()).toBeNull();
    expect(pool.joined()).toBe('ok\ud83d half');
  });

  it('holds hashes as bytes, and anything that is not lowercase hex pairs as it is', () => {
    const pool = new StringPool('hex');
    // š, İ and ı are U+0161, U+0130 and U+0131: their low bytes are the codes of a, 0 and 1.
    const hashes = ['a'.repeat(40), '0123456789abcdef'.repeat(4), 'ABCDEF12', 'abc', 'not-a-hash', '', '00', 'šaİı'];
    for (const h of hashes) pool.add(h);
    expect(hashes.map((_, i) => pool.get(i))).toEqual(hashes);
    expect(pool.utf8()).toBeNull();
  });

  it('gives back any string added to a pool of hashes, held as bytes or not (property)', () => {
    const digit = fc.constantFrom(...'0123456789abcdefABCDEFgz/:`@GšİıＡ\ud800'.split(''));
    fc.assert(
      fc.property(fc.array(fc.string({ unit: digit, maxLength: 66 }), { maxLength: 40 }), (strings) => {
        const pool = new StringPool('hex');
        for (const s of strings) pool.add(s);
        expect(strings.map((_, i) => pool.get(i))).toEqual(strings);
        strings.forEach((s, i) => {
          const asHex = /^(?:[0-9a-f]{2})*$/.test(s) && s.length >= 8;
          expect(pool.hexPrefix7(i)).toBe(asHex ? Number.parseInt(s.slice(0, 7), 16) : -1);
        });
      }),
    );
  });

  it('names the index it does not have', () => {
    expect(() => new StringPool().get(0)).toThrow(RangeError);
  });
});

describe('IntList', () => {
  it('keeps 32-bit integers in order across blocks', () => {
    const list = new IntList();
    const value = (i: number): number => (i % 3 === 1 ? -i : i * 7);
    for (let i = 0; i < 40_000; i++) list.push(value(i));
    expect(list.length).toBe(40_000);
    for (const i of [0, 1, 2, 16_383, 16_384, 39_999]) expect(list.get(i)).toBe(value(i));
    expect(() => list.get(40_000)).toThrow(RangeError);
  });
});

describe('StringPool.hexPrefix7', () => {
  it('reads the first 7 hex digits of a hash held as bytes, and only then', () => {
    const pool = new StringPool('hex');
    for (const h of ['0123456789abcdef', 'ffffffff', 'abcdef', 'ABCDEF12', 'a'.repeat(40)]) pool.add(h);
    expect(pool.hexPrefix7(0)).toBe(0x0123456);
    expect(pool.hexPrefix7(1)).toBe(0xfffffff);
    expect(pool.hexPrefix7(2)).toBe(-1); // 6 digits
    expect(pool.hexPrefix7(3)).toBe(-1); // not held as hex
    expect(pool.hexPrefix7(4)).toBe(0xaaaaaaa);
    expect(new StringPool().hexPrefix7(0)).toBe(-1);
  });
});
