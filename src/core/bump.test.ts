import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BumpFold, decideBump } from './bump.js';
import { DEFAULT_BUMP_RULES, mergeBumpRules } from './bump-rules.js';
import { parseCommit } from './commit-parse.js';
import { isCutterError } from './errors.js';
import type { ParsedCommit } from './types.js';

let counter = 0;
/** A fake 40-hex hash that is unique per call, like git's. */
const nextHash = (): string => (++counter).toString(16).padStart(40, 'a');
const commit = (message: string, hash = nextHash(), parents?: string[]): ParsedCommit =>
  parseCommit({ hash, message, ...(parents ? { parents } : {}) });
const decide = (messages: (string | ParsedCommit)[], current: string | null = '1.2.3', rules = DEFAULT_BUMP_RULES) =>
  decideBump(
    messages.map((m) => (typeof m === 'string' ? commit(m) : m)),
    rules,
    current,
  );

describe('decideBump: levels', () => {
  it('releases a minor for a feature and names the feature as the cause', () => {
    const d = decide(['fix: a', 'feat(api): b', 'docs: c']);
    expect(d.bump).toBe('minor');
    expect(d.causes.map((c) => c.header)).toEqual(['feat(api): b']);
    expect(d.causes[0]!.why).toBe('feat → minor');
    expect(d.reasons.map((r) => r.why)).toEqual(['fix → patch', 'feat → minor', 'docs → no release']);
  });

  it('releases a patch for fixes and performance work, listing all of them as causes', () => {
    const d = decide(['fix: a', 'perf: b', 'chore: c']);
    expect(d.bump).toBe('patch');
    expect(d.causes.map((c) => c.header)).toEqual(['fix: a', 'perf: b']);
  });

  it('releases nothing for docs, style, test, ci, chore, build, refactor and revert by default', () => {
    const d = decide(['docs: a', 'style: b', 'test: c', 'ci: d', 'chore: e', 'build: f', 'refactor: g', 'revert: h']);
    expect(d.bump).toBeNull();
    expect(d.causes).toEqual([]);
  });

  it('releases a major for `!` and for a BREAKING CHANGE footer, whatever the type', () => {
    expect(decide(['feat: a', 'docs!: drop old guide']).bump).toBe('major');
    const d = decide(['chore: bump\n\nBREAKING CHANGE: needs Node 20']);
    expect(d.bump).toBe('major');
    expect(d.causes[0]!.why).toBe('BREAKING CHANGE footer → major');
    expect(decide(['fix(x)!: y']).causes[0]!.why).toBe('fix! → major');
  });

  it('explains a type that is not in the rules', () => {
    expect(decide(['wip: half done']).reasons[0]!.why).toBe('type "wip" is not in the bump rules → no release');
  });

  it('does not mistake a type named like an Object method for a rule', () => {
    expect(decide(['constructor: x', 'toString: y', '__proto__: z']).bump).toBeNull();
  });

  it('lists non-conventional commits and releases nothing for them', () => {
    const d = decide(['Update README', 'fix: a']);
    expect(d.bump).toBe('patch');
    expect(d.nonConventional.map((c) => c.header)).toEqual(['Update README']);
    expect(d.reasons[0]!.why).toBe('not a Conventional Commit → no release');
  });

  it('still honours a BREAKING CHANGE footer on a non-conventional commit', () => {
    const d = decide(['Upgrade runtime\n\nBREAKING CHANGE: Node 18 is no longer supported']);
    expect(d.bump).toBe('major');
    expect(d.nonConventional).toHaveLength(1);
  });

  it('releases nothing for an empty range', () => {
    expect(decide([])).toMatchObject({ bump: null, causes: [], reasons: [], releaseAs: null });
  });

  it('follows a configured table (seed 003: refactor, build and revert release a patch)', () => {
    const rules = mergeBumpRules({ types: { refactor: 'patch', build: 'patch', revert: 'patch' } });
    expect(decide(['refactor: a'], '1.0.0', rules).bump).toBe('patch');
    expect(decide(['build: b'], '1.0.0', rules).bump).toBe('patch');
    expect(decide(['revert: c'], '1.0.0', rules).bump).toBe('patch');
  });
});

describe('decideBump: pre-1.0 rules', () => {
  it('turns a breaking change into a minor while the major version is 0, and says so', () => {
    const d = decide(['feat: a\n\nBREAKING CHANGE: renamed everything'], '0.4.2');
    expect(d.bump).toBe('minor');
    expect(d.causes[0]!.why).toBe('BREAKING CHANGE footer → major (pre-1.0: minor)');
  });

  it('keeps breaking → major before 1.0 when configured', () => {
    const rules = mergeBumpRules({ preMajorBreaking: 'major' });
    expect(decide(['feat!: a'], '0.4.2', rules).bump).toBe('major');
  });

  it('can make features a patch before 1.0', () => {
    const rules = mergeBumpRules({ preMajorFeature: 'patch' });
    const d = decide(['feat: a'], '0.4.2', rules);
    expect(d.bump).toBe('patch');
    expect(d.causes[0]!.why).toBe('feat → minor (pre-1.0: patch)');
  });

  it('does not apply pre-1.0 rules to a first release or after 1.0', () => {
    expect(decide(['feat!: a'], null).bump).toBe('major');
    expect(decide(['feat!: a'], '1.0.0').bump).toBe('major');
  });

  it('applies pre-1.0 rules to a 0.x prerelease too', () => {
    expect(decide(['feat!: a'], '0.9.0-beta.2').bump).toBe('minor');
  });

  it('refuses a current version that is not SemVer', () => {
    try {
      decide(['fix: a'], 'one-point-two');
      expect.unreachable();
    } catch (err) {
      expect(isCutterError(err, 'CUTTER_INVALID_VERSION')).toBe(true);
    }
  });
});

describe('decideBump: skip markers and merges', () => {
  it('excludes [skip release] commits and lists them', () => {
    const d = decide(['feat: big [skip release]', 'fix: small', 'feat!: huge\n\n[release skip]']);
    expect(d.bump).toBe('patch');
    expect(d.skipped.map((c) => c.header)).toEqual(['feat: big [skip release]', 'feat!: huge']);
    expect(d.reasons[0]!.why).toBe('[skip release] → excluded');
  });

  it('does not count a merge commit on its own: the merged commits count', () => {
    const d = decide([commit('Merge pull request #5 from a/b\n\nfeat: shiny'), commit('fix: inside the branch')]);
    expect(d.bump).toBe('patch');
    expect(d.reasons[0]!.why).toMatch(/^merge commit/);
    expect(d.nonConventional).toEqual([]);
  });

  it('does not count a two-parent commit even when its header is conventional', () => {
    expect(decide([commit('feat: merged', nextHash(), ['p1', 'p2'])]).bump).toBeNull();
  });
});

describe('decideBump: reverts', () => {
  it('cancels a feature and its revert when both are in the range', () => {
    const feat = commit('feat: risky');
    const revert = commit(`Revert "feat: risky"\n\nThis reverts commit ${feat.hash}.`);
    const d = decide([revert, feat, commit('docs: x')]);
    expect(d.bump).toBeNull();
    expect(d.cancelled).toEqual([feat, revert]);
    expect(d.reasons[0]!.why).toBe(`reverts ${feat.hash.slice(0, 7)} in this range → both cancelled`);
    expect(d.reasons[1]!.why).toBe(`reverted by ${revert.hash.slice(0, 7)} in this range → cancelled`);
  });

  it('matches an abbreviated hash in the revert message', () => {
    const feat = commit('feat: risky');
    const revert = commit(`revert: feat: risky\n\nThis reverts commit ${feat.hash.slice(0, 10)}.`);
    expect(decide([feat, revert]).bump).toBeNull();
  });

  it('finds the target among commits sharing its first 7 hash characters, whatever their case or length', () => {
    const twin = commit('feat: twin', `abcdef1${'0'.repeat(33)}`);
    const target = commit('feat: target', `abcdef1${'9'.repeat(33)}`);
    const upper = commit('feat: upper', `ABCDEF1${'8'.repeat(33)}`);
    const short = commit('fix: short', 'abc12');
    const feats = [twin, target, upper];
    const revertOf = (hash: string) => commit(`Revert "x"\n\nThis reverts commit ${hash}.`);
    // Longer than 7: only the commit it abbreviates; the twin shares 7 characters but not the 8th.
    expect(decide([...feats, revertOf(`abcdef1${'9'.repeat(8)}`)]).cancelled).toEqual([target, expect.anything()]);
    // Exactly 7: the first of the range that starts so, an upper-case hash included (hashes match any case).
    expect(decide([upper, twin, revertOf('abcdef1')]).cancelled?.[0]).toBe(upper);
    // Shorter than 7 (never abbreviated so by git): only an exact hash.
    expect(decide([short, commit('feat: k'), revertOf('abc12')]).cancelled?.[0]).toBe(short);
    expect(decide([...feats, revertOf('abcdef')]).cancelled).toEqual([]);
  });

  it('matches a revert without a hash by the reverted header', () => {
    const feat = commit('feat: risky (#41)');
    expect(decide([feat, commit('revert: feat: risky')]).bump).toBeNull();
  });

  it('restores a feature whose revert was itself reverted', () => {
    const feat = commit('feat: again');
    const r1 = commit(`Revert "feat: again"\n\nThis reverts commit ${feat.hash}.`);
    const r2 = commit(`Revert "Revert "feat: again""\n\nThis reverts commit ${r1.hash}.`);
    const d = decide([r2, r1, feat]);
    expect(d.bump).toBe('minor');
    expect(d.causes.map((c) => c.hash)).toEqual([feat.hash]);
  });

  it('counts a revert of a commit from an earlier release by its own type', () => {
    const revert = `Revert "feat: old"\n\nThis reverts commit ${'f'.repeat(40)}.`;
    expect(decide([revert]).bump).toBeNull();
    expect(decide([revert], '1.0.0', mergeBumpRules({ types: { revert: 'patch' } })).bump).toBe('patch');
  });

  it('does not let a skipped commit be cancelled: the revert then stands alone', () => {
    const feat = commit('feat: hidden\n\n[skip release]');
    const revert = commit(`Revert "feat: hidden"\n\nThis reverts commit ${feat.hash}.`);
    const d = decide([feat, revert], '1.0.0', mergeBumpRules({ types: { revert: 'patch' } }));
    expect(d.bump).toBe('patch');
  });
});

describe('decideBump: default patch and Release-As', () => {
  it('releases a patch for untyped commits when defaultPatch is on (seed 001)', () => {
    const d = decide(['Update site copy', 'docs: typo'], '1.0.0', mergeBumpRules({ defaultPatch: true }));
    expect(d.bump).toBe('patch');
    expect(d.causes).toHaveLength(2);
    expect(d.causes[0]!.why).toMatch(/default patch/);
  });

  it('does not use the default patch when only skipped commits are new', () => {
    const d = decide(['Update site [skip release]'], '1.0.0', mergeBumpRules({ defaultPatch: true }));
    expect(d.bump).toBeNull();
  });

  it('does not use the default patch when a real bump exists', () => {
    const d = decide(['feat: a', 'docs: b'], '1.0.0', mergeBumpRules({ defaultPatch: true }));
    expect(d.causes.map((c) => c.header)).toEqual(['feat: a']);
  });

  it('takes the highest valid Release-As and explains ignored ones', () => {
    const d = decide([
      'chore: a\n\nRelease-As: 2.0.0',
      'chore: b\n\nRelease-As: 3.0.0',
      'chore: c\n\nRelease-As: soon',
    ]);
    expect(d.releaseAs).toBe('3.0.0');
    expect(d.reasons[2]!.why).toMatch(/Release-As "soon" ignored: not SemVer/);
  });

  it('ignores Release-As in skipped commits', () => {
    expect(decide(['chore: a [skip release]\n\nRelease-As: 2.0.0']).releaseAs).toBeNull();
  });
});

describe('decideBump: scale', () => {
  it('decides over a large range with a revert in it', () => {
    const commits = Array.from({ length: 30_000 }, (_, i) => commit(i % 3 ? `fix: f${i}` : `docs: d${i}`));
    commits.push(commit(`Revert "fix: f1"\n\nThis reverts commit ${commits[1]!.hash}.`));
    const d = decideBump(commits, DEFAULT_BUMP_RULES, '1.0.0');
    expect(d.bump).toBe('patch');
    expect(d.reasons).toHaveLength(30_001);
    expect(d.cancelled).toHaveLength(2);
  });

  it('pairs thousands of reverts with their targets among 50k commits, by full or abbreviated hash', () => {
    const sha = (i: number): string => createHash('sha1').update(String(i)).digest('hex');
    const commits = Array.from({ length: 50_000 }, (_, i) => commit(i % 2 ? `fix: f${i}` : `docs: d${i}`, sha(i)));
    const reverts: ParsedCommit[] = [];
    for (let i = 1; i < 4_000; i += 2) {
      const hash = commits[i]!.hash;
      const named = i % 4 === 1 ? hash : hash.slice(0, 9).toUpperCase();
      reverts.push(commit(`Revert "fix: f${i}"\n\nThis reverts commit ${named}.`));
    }
    // Reverts of commits from earlier releases (unknown hashes) cancel nothing.
    for (let i = 0; i < 2_000; i++) reverts.push(commit(`Revert "fix: old"\n\nThis reverts commit ${'e'.repeat(40)}.`));
    const d = decideBump([...reverts, ...commits], DEFAULT_BUMP_RULES, '1.0.0');
    expect(d.cancelled).toHaveLength(4_000);
    expect(d.causes).toHaveLength(25_000 - 2_000);
  });

  it('pairs reverts without a hash with the first same-header commit not yet taken, PR suffix or not', () => {
    const a1 = commit('feat: again (#12)');
    const a2 = commit('feat: again');
    const a3 = commit('feat: again');
    const r1 = commit('revert: feat: again');
    const r2 = commit('revert: feat: again');
    const d = decide([a1, r1, a2, r2, a3]);
    expect(d.cancelled).toEqual([a1, r1, a2, r2]);
    expect(d.causes.map((c) => c.hash)).toEqual([a3.hash]);
  });

  it('resolves a chain of 20k reverts of reverts without overflowing the stack', () => {
    const chain = [commit('feat: flip-flop')];
    for (let i = 0; i < 20_000; i++) chain.push(commit(`revert: x\n\nThis reverts commit ${chain[i]!.hash}.`));
    // An even number of reverts leaves the feature in effect; the reverts pair off.
    expect(decide(chain).bump).toBe('minor');
    expect(decide(chain.slice(0, -1)).bump).toBeNull();
  });
});

describe('BumpFold: the range one commit at a time', () => {
  /** A history, oldest first: each commit a kind, and for reverts which earlier commit (by hash or header). */
  const kind = fc.constantFrom(
    'feat: a',
    'feat: b (#7)',
    'fix: c',
    'perf(x): d',
    'docs: e',
    'chore: f',
    'refactor!: g',
    'Update README',
    'fix: h [skip release]',
    'chore: release\n\nRelease-As: 2.5.0',
    'feat: i\n\nRelease-As: not-a-version',
    'wip: j',
    'revert-hash',
    'revert-short',
    'revert-header',
  );
  const history = fc.array(fc.tuple(kind, fc.nat()), { maxLength: 25 });

  function commitsOf(spec: [string, number][]): ParsedCommit[] {
    const made: ParsedCommit[] = [];
    for (const [k, pick] of spec) {
      const target = made.length > 0 ? made[pick % made.length]! : null;
      let message = k;
      if (k.startsWith('revert-')) {
        if (!target) message = 'revert: nothing';
        else if (k === 'revert-hash') message = `revert: ${target.header}\n\nThis reverts commit ${target.hash}.`;
        else if (k === 'revert-short')
          message = `Revert "${target.header}"\n\nThis reverts commit ${target.hash.slice(0, 8)}.`;
        else message = `revert: ${target.header.replace(/ \(#\d+\)$/, '')}`;
      }
      made.push(commit(message, createHash('sha1').update(`${made.length}:${message}`).digest('hex')));
    }
    return made.reverse(); // newest first, as git log lists them
  }

  it('answers what decideBump answers, under every rule table and current version', () => {
    const tables = [
      DEFAULT_BUMP_RULES,
      mergeBumpRules({ defaultPatch: true }),
      mergeBumpRules({ types: { revert: 'patch', docs: 'patch' }, preMajorFeature: 'patch' }),
    ];
    fc.assert(
      fc.property(history, fc.constantFrom(null, '0.4.1', '1.2.3'), fc.nat(2), (spec, current, t) => {
        const rules = tables[t]!;
        const commits = commitsOf(spec);
        const full = decideBump(commits, rules, current);
        const fold = new BumpFold(rules, current);
        for (const c of commits) fold.add(c);
        const lean = fold.summary();
        expect(lean.causes.triggers?.()).toEqual([...new Set(full.causes.map((c) => c.trigger).filter(Boolean))]);
        expect({ ...lean, causes: lean.causes.slice() }).toEqual({
          bump: full.bump,
          causes: full.causes,
          releaseAs: full.releaseAs,
          nonConventional: full.nonConventional.length,
          skipped: full.skipped.length,
        });
      }),
      { numRuns: 300 },
    );
  });

  it('slices its causes as an array slices, and makes each on demand', () => {
    const fold = new BumpFold(DEFAULT_BUMP_RULES, '1.0.0');
    const commits = ['feat: a', 'fix: b', 'feat: c', 'docs: d', 'feat: e'].map((m) => commit(m));
    for (const c of commits) fold.add(c);
    const { causes } = fold.summary();
    const all = causes.slice();
    expect(all.map((c) => c.header)).toEqual(['feat: a', 'feat: c', 'feat: e']);
    for (const [start, end] of [
      [0, 2],
      [1, undefined],
      [-2, undefined],
      [-9, 1],
      [2, 1],
      [undefined, -1],
    ] as const) {
      expect(causes.slice(start, end)).toEqual(all.slice(start, end));
    }
    expect(causes.length).toBe(3);
    expect(() => fold.add(commit('feat: late'))).toThrow(/after the decision/);
  });
});
