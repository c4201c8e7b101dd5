import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { decideBump } from './bump.js';
import { DEFAULT_BUMP_RULES } from './bump-rules.js';
import { parseCommit } from './commit-parse.js';
import { isCutterError } from './errors.js';
import { nextVersion, nextVersionChecked } from './next-version.js';
import type { BumpDecision, Channel } from './types.js';

/** A real decision from real commit messages, so the tests exercise the same path as `cutter release`. */
const decision = (messages: string[], current: string | null = '1.0.0'): BumpDecision =>
  decideBump(
    messages.map((message, i) => parseCommit({ hash: `${i}`.padStart(40, '0'), message })),
    DEFAULT_BUMP_RULES,
    current,
  );
const FIX = ['fix: a'];
const FEAT = ['feat: a'];
const BREAKING = ['feat!: a'];
const beta: Channel = { prerelease: 'beta' };
const rc: Channel = { prerelease: 'rc' };

const expectCutterError = (fn: () => unknown, code: string): void => {
  try {
    fn();
    expect.unreachable();
  } catch (err) {
    expect(isCutterError(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
  }
};

describe('nextVersion: stable releases', () => {
  it('bumps patch, minor and major', () => {
    expect(nextVersion('1.2.3', decision(FIX))).toBe('1.2.4');
    expect(nextVersion('1.2.3', decision(FEAT))).toBe('1.3.0');
    expect(nextVersion('1.2.3', decision(BREAKING))).toBe('2.0.0');
  });

  it('returns null when nothing is releasable', () => {
    expect(nextVersion('1.2.3', decision(['docs: a']))).toBeNull();
  });

  it('bumps a pre-1.0 line by the pre-1.0 rules', () => {
    expect(nextVersion('0.4.2', decision(BREAKING, '0.4.2'))).toBe('0.5.0');
  });

  it('uses 1.0.0 for the first release, or the configured first release', () => {
    expect(nextVersion(null, decision(FIX, null))).toBe('1.0.0');
    expect(nextVersion(null, decision(FEAT, null), { firstRelease: '0.1.0' })).toBe('0.1.0');
  });

  it('releases nothing first when no commit is releasable', () => {
    expect(nextVersion(null, decision(['docs: a'], null))).toBeNull();
  });

  it('rejects a current version or first release that is not SemVer', () => {
    expectCutterError(() => nextVersion('1.2', decision(FIX)), 'CUTTER_INVALID_VERSION');
    expectCutterError(
      () => nextVersion(null, decision(FIX, null), { firstRelease: 'first' }),
      'CUTTER_INVALID_VERSION',
    );
  });
});

describe('nextVersion: Release-As', () => {
  it('overrides the computed version, even with no releasable commit', () => {
    expect(nextVersion('1.2.3', decision(['chore: x\n\nRelease-As: 2.0.0']))).toBe('2.0.0');
    expect(nextVersion(null, decision(['chore: x\n\nRelease-As: 0.3.0'], null))).toBe('0.3.0');
  });

  it('is ignored with a reason when it is not greater than the current version', () => {
    const result = nextVersionChecked('2.1.0', decision(['fix: x\n\nRelease-As: 2.0.0'], '2.1.0'));
    expect(result).toEqual({
      version: '2.1.1',
      ignoredReleaseAs: 'Release-As 2.0.0 ignored: not greater than current 2.1.0',
    });
  });

  it('is ignored with a reason when it is not SemVer (decisions built by hand)', () => {
    const hand: BumpDecision = { ...decision(['docs: x']), releaseAs: 'two' };
    expect(nextVersionChecked('1.0.0', hand)).toEqual({
      version: null,
      ignoredReleaseAs: 'Release-As two ignored: not SemVer',
    });
  });
});

describe('nextVersion: prerelease channels', () => {
  it('starts a beta line from a stable version', () => {
    expect(nextVersion('1.2.3', decision(FEAT), { channel: beta })).toBe('1.3.0-beta.1');
  });

  it('counts up within the line for a fix', () => {
    expect(nextVersion('1.3.0-beta.1', decision(FIX), { channel: beta })).toBe('1.3.0-beta.2');
  });

  it('counts up for a feature, because the pending 1.3.0 already contains a minor', () => {
    expect(nextVersion('1.3.0-beta.2', decision(FEAT), { channel: beta })).toBe('1.3.0-beta.3');
  });

  it('moves to the next major line for a breaking change', () => {
    expect(nextVersion('1.3.0-beta.3', decision(BREAKING), { channel: beta })).toBe('2.0.0-beta.1');
  });

  it('moves a patch-line beta to the next minor for a feature', () => {
    expect(nextVersion('1.2.4-beta.2', decision(FEAT), { channel: beta })).toBe('1.3.0-beta.1');
  });

  it('switches channel from beta to rc on the same pending version', () => {
    expect(nextVersion('1.3.0-beta.3', decision(FIX), { channel: rc })).toBe('1.3.0-rc.1');
  });

  it('refuses to go back from beta to alpha on the same version', () => {
    const result = nextVersionChecked('1.3.0-beta.3', decision(FIX), { channel: { prerelease: 'alpha' } });
    expect(result.version).toBeNull();
    expect(result.refused).toBe('fix on channel alpha would release 1.3.0-alpha.1, not after current 1.3.0-beta.3');
  });

  it('promotes a beta line to stable on the stable channel', () => {
    expect(nextVersion('1.3.0-beta.3', decision(FIX))).toBe('1.3.0');
    expect(nextVersion('1.3.0-beta.3', decision(FEAT))).toBe('1.3.0');
    expect(nextVersion('1.3.0-beta.3', decision(BREAKING))).toBe('2.0.0');
  });

  it('makes the first release a prerelease on a prerelease channel', () => {
    expect(nextVersion(null, decision(FEAT, null), { channel: beta })).toBe('1.0.0-beta.1');
  });

  it('rejects a channel name that is not a prerelease identifier', () => {
    expectCutterError(
      () => nextVersion('1.0.0', decision(FIX), { channel: { prerelease: 'be ta' } }),
      'CUTTER_BAD_INPUT',
    );
    expectCutterError(() => nextVersion('1.0.0', decision(FIX), { channel: { prerelease: '12' } }), 'CUTTER_BAD_INPUT');
  });
});

describe('nextVersion: maintenance lines', () => {
  it('releases a fix inside the line', () => {
    expect(nextVersion('1.2.5', decision(FIX), { channel: { prerelease: null, range: '1.2.x' } })).toBe('1.2.6');
    expect(nextVersion('1.2.5', decision(FEAT), { channel: { prerelease: null, range: '1.x' } })).toBe('1.3.0');
  });

  it('refuses a feature that would leave a 1.2.x line, saying why', () => {
    const result = nextVersionChecked('1.2.5', decision(FEAT), { channel: { prerelease: null, range: '1.2.x' } });
    expect(result).toEqual({
      version: null,
      refused: 'feat on maintenance line 1.2.x would release 1.3.0, outside >=1.2.0 <1.3.0',
    });
  });

  it('refuses a breaking change on a 1.x line', () => {
    const result = nextVersionChecked('1.9.0', decision(BREAKING), { channel: { prerelease: null, range: '1.x' } });
    expect(result.version).toBeNull();
    expect(result.refused).toBe('feat! on maintenance line 1.x would release 2.0.0, outside >=1.0.0 <2.0.0');
  });

  it('also keeps a Release-As inside the line', () => {
    const result = nextVersionChecked('1.2.5', decision(['fix: a\n\nRelease-As: 3.0.0']), {
      channel: { prerelease: null, range: '1.2.x' },
    });
    expect(result.version).toBeNull();
    expect(result.refused).toMatch(/^Release-As 3.0.0 on maintenance line 1.2.x would release 3.0.0/);
  });

  it('rejects a range that is not a semver range', () => {
    expectCutterError(
      () => nextVersion('1.2.5', decision(FIX), { channel: { prerelease: null, range: 'one dot x' } }),
      'CUTTER_BAD_INPUT',
    );
  });
});

describe('nextVersion: properties', () => {
  const stable = fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)).map(([a, b, c]) => `${a}.${b}.${c}`);
  const current = fc.oneof(
    stable,
    fc
      .tuple(stable, fc.constantFrom('alpha', 'beta', 'rc'), fc.integer({ min: 1, max: 9 }))
      .map(([v, p, n]) => `${v}-${p}.${n}`),
  );
  const messages = fc.constantFrom(FIX, FEAT, BREAKING);
  const channel = fc.constantFrom<Channel>({ prerelease: null }, beta, rc, { prerelease: 'alpha' });

  it('only ever moves forward, and lands on the requested channel', () => {
    fc.assert(
      fc.property(current, messages, channel, (cur, msgs, ch) => {
        const result = nextVersionChecked(cur, decision(msgs, cur), { channel: ch });
        if (result.version === null) {
          expect(result.refused).toBeDefined();
          return;
        }
        expect(semver.gt(result.version, cur)).toBe(true);
        expect(semver.prerelease(result.version)?.[0] ?? null).toBe(ch.prerelease);
      }),
      { numRuns: 300 },
    );
  });
});
