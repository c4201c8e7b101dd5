import { describe, expect, it } from 'vitest';
import { applyPatch, frozenCopy, sameJson } from './patch.js';

describe('applyPatch', () => {
  it('deep-merges objects, deletes on null and replaces arrays', () => {
    const data = { release: { latest: { tag: 'v1.0.0' }, next: null }, repos: ['a', 'b'], keep: 1 };
    const out = applyPatch(data, { release: { next: '1.0.1', latest: null }, repos: ['c'] });
    expect(out).toEqual({ release: { next: '1.0.1' }, repos: ['c'], keep: 1 });
    expect(data.release.latest).toEqual({ tag: 'v1.0.0' });
  });

  it('replaces a scalar with an object and back', () => {
    expect(applyPatch({ release: 'connectors' }, { release: { latest: null, x: 1 } })).toEqual({ release: { x: 1 } });
    expect(applyPatch({ release: { x: 1 } }, { release: 'done' })).toEqual({ release: 'done' });
  });
});

describe('frozenCopy', () => {
  it('gives steps a copy they cannot mutate', () => {
    const data = { release: { next: '1.0.0' }, list: [{ a: 1 }] };
    const copy = frozenCopy(data);
    expect(() => {
      (copy.release as { next: string }).next = '2.0.0';
    }).toThrow(TypeError);
    expect(() => (copy.list as unknown[]).push(1)).toThrow(TypeError);
    expect(data.release.next).toBe('1.0.0');
  });
});

describe('sameJson', () => {
  it('ignores key order and undefined keys but not values', () => {
    expect(sameJson({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(sameJson({ a: 1, u: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: '1' })).toBe(false);
  });
});
