import { describe, expect, it } from 'vitest';
import { describeShape, matchesShape, projectShape, shapeProblem } from './shape.js';

describe('matchesShape (ALOMA conditions)', () => {
  it('runs "get latest tag" while release.latest is absent or null', () => {
    const shape = { release: { latest: null } };
    expect(matchesShape({ release: {} }, shape)).toBe(true);
    expect(matchesShape({ release: { latest: null } }, shape)).toBe(true);
    expect(matchesShape({ release: { latest: { tag: 'v1.2.3' } } }, shape)).toBe(false);
  });

  it('needs the parent object itself to be present for a nested condition', () => {
    expect(matchesShape({}, { release: { latest: null } })).toBe(false);
    expect(matchesShape({ release: 'connectors' }, { release: { latest: null } })).toBe(false);
  });

  it('treats type markers as "present with that type"', () => {
    const shape = { release: { latest: Object, next: null } };
    expect(matchesShape({ release: { latest: { tag: 'v1.0.0' } } }, shape)).toBe(true);
    expect(matchesShape({ release: { latest: ['v1.0.0'] } }, shape)).toBe(false);
    expect(matchesShape({ release: { latest: null } }, shape)).toBe(false);
    expect(matchesShape({ release: { latest: {}, next: '1.0.1' } }, shape)).toBe(false);
    expect(matchesShape({ n: 3, b: false, s: '', a: [] }, { n: Number, b: Boolean, s: String, a: Array })).toBe(true);
    expect(matchesShape({ n: '3' }, { n: Number })).toBe(false);
    expect(matchesShape({ n: Number.NaN }, { n: Number })).toBe(false);
    expect(matchesShape({ a: {} }, { a: Array })).toBe(false);
  });

  it('compares literals for equality (release: "connectors")', () => {
    expect(matchesShape({ release: 'connectors' }, { release: 'connectors' })).toBe(true);
    expect(matchesShape({ release: 'single' }, { release: 'connectors' })).toBe(false);
    expect(matchesShape({ connector: { update: { status: 200 } } }, { connector: { update: { status: 200 } } })).toBe(
      true,
    );
    expect(matchesShape({ connector: { update: { status: 500 } } }, { connector: { update: { status: 200 } } })).toBe(
      false,
    );
    expect(matchesShape({ dry: true }, { dry: true })).toBe(true);
    expect(matchesShape({ dry: 'true' }, { dry: true })).toBe(false);
  });

  it('leaves keys the shape does not mention free', () => {
    expect(matchesShape({ ref: 'refs/heads/main', extra: 1, release: { x: 1 } }, { ref: 'refs/heads/main' })).toBe(
      true,
    );
    expect(matchesShape({ anything: true }, {})).toBe(true);
  });

  it('combines conditions on several keys (repos: null, tags: Object)', () => {
    const shape = { repos: null, tags: Object };
    expect(matchesShape({ tags: { a: 'v1' } }, shape)).toBe(true);
    expect(matchesShape({ repos: ['a'], tags: { a: 'v1' } }, shape)).toBe(false);
  });

  it('treats data that is not an object as empty', () => {
    expect(matchesShape(null, { a: null })).toBe(true);
    expect(matchesShape('text', { a: String })).toBe(false);
    expect(matchesShape([1], { length: Number })).toBe(false);
  });

  it('does not see inherited properties', () => {
    expect(matchesShape({}, { toString: null })).toBe(true);
    expect(matchesShape({}, { constructor: Object })).toBe(false);
  });
});

describe('describeShape', () => {
  it('writes the shape the way the seed does', () => {
    expect(describeShape({ release: { latest: null } })).toBe('release: { latest: null }');
    expect(describeShape({ release: { next: String, tagged: null } })).toBe('release: { next: String, tagged: null }');
    expect(describeShape({ release: 'connectors' })).toBe('release: "connectors"');
    expect(describeShape({ repos: null, tags: Object, n: 200, ok: true, l: Array })).toBe(
      'repos: null, tags: Object, n: 200, ok: true, l: Array',
    );
    expect(describeShape({ 'odd-key': Number, empty: {} })).toBe('"odd-key": Number, empty: {}');
  });
});

describe('shapeProblem', () => {
  it('accepts every valid condition', () => {
    expect(shapeProblem({ a: null, b: 'x', c: 1, d: false, e: String, f: { g: Array } })).toBeNull();
  });

  it('names the key holding a condition that is not one', () => {
    expect(shapeProblem({ release: { next: Date } })).toMatch(/release\.next/);
    expect(shapeProblem({ a: undefined })).toMatch(/^a /);
    expect(shapeProblem({ a: [String] })).toMatch(/^a /);
    expect(shapeProblem({ a: Number.NaN })).toMatch(/^a /);
    expect(shapeProblem('release')).toMatch(/must be an object/);
  });
});

describe('projectShape', () => {
  it('keeps only what the shape reads, as the step log input summary', () => {
    const data = { release: { next: '1.2.4', notes: 'long…', tagged: null }, payload: { huge: true } };
    expect(projectShape(data, { release: { next: String, tagged: null } })).toEqual({
      release: { next: '1.2.4', tagged: null },
    });
  });
});
