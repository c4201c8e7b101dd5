// Differential test: Cutter's bump must equal @semantic-release/commit-analyzer's on generated histories.
//
// The reference is commit-analyzer v13 with the `conventionalcommits` preset (conventional-changelog-conventionalcommits
// v9), called directly. Both sides are configured alike: feat → minor, fix/perf → patch, breaking → major, and the
// histories stay inside the semantics both share. The intended differences are pinned down by the last block of
// tests instead:
//   - pre-1.0 rules: Cutter turns breaking → minor on 0.x; the analyzer knows nothing about the current version.
//   - `[skip release]` / `[release skip]`: Cutter excludes such commits; the analyzer has no such marker, so the
//     harness leaves them out of what it hands to the analyzer (what a semantic-release user would have to do).
//   - merge commits never count in Cutter (their branch's commits do); the analyzer reads a merge's body notes.
//   - types are case-insensitive in Cutter (`Feat:` is a feature); the analyzer matches them case-sensitively.
//   - a revert cancels its target by hash in Cutter; the analyzer also needs the quoted header to match exactly.
//   - an unmatched revert releases what the rules table says for `revert` (nothing by default) in Cutter; the
//     analyzer always releases a patch for one. So reverts are generated only in the seed-003 configuration, where
//     Cutter's table says revert → patch too.
//   - the same commit reverted twice: the analyzer pairs one revert with it and releases the other; Cutter cancels
//     all of them. Generated histories revert each commit at most once.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideBump } from '../src/core/bump.js';
import { DEFAULT_BUMP_RULES, mergeBumpRules } from '../src/core/bump-rules.js';
import { parseCommit } from '../src/core/commit-parse.js';
import type { BumpRules, RawCommit } from '../src/core/types.js';

interface AnalyzerRule {
  type?: string;
  breaking?: boolean;
  revert?: boolean;
  release: string | false;
}
type AnalyzeCommits = (
  pluginConfig: { preset: string; releaseRules?: AnalyzerRule[] },
  context: { commits: { hash: string; message: string }[]; logger: { log(...args: unknown[]): void }; cwd: string },
) => Promise<string | null>;

// The package ships no type declarations; importing through a variable keeps TypeScript from demanding them.
const analyzerModule = '@semantic-release/commit-analyzer';
const { analyzeCommits } = (await import(analyzerModule)) as { analyzeCommits: AnalyzeCommits };

const SKIP = /\[(?:skip release|release skip)\]/i;

/** The reference bump. semantic-release hands the analyzer commits newest first, as `git log` lists them. */
async function referenceBump(history: RawCommit[], releaseRules?: AnalyzerRule[]): Promise<string | null> {
  const commits = history
    .filter((c) => !SKIP.test(c.message))
    .map((c) => ({ hash: c.hash, message: c.message }))
    .reverse();
  return analyzeCommits(
    { preset: 'conventionalcommits', ...(releaseRules ? { releaseRules } : {}) },
    { commits, logger: { log() {} }, cwd: process.cwd() },
  );
}

function cutterBump(history: RawCommit[], rules: BumpRules, current: string | null): string | null {
  return decideBump(history.map(parseCommit), rules, current).bump;
}

// ---------------------------------------------------------------------------------------------------------------
// Generators: a history is a list of commit specs, rendered oldest first into messages with unique hashes.

const WORDS = ['add', 'remove', 'config', 'parser', 'tags', 'cache', 'api', 'docs', 'speed', 'retry', 'ui', 'x'];
const words = (min: number, max: number) =>
  fc.array(fc.constantFrom(...WORDS), { minLength: min, maxLength: max }).map((w) => w.join(' '));
const KNOWN_TYPES = ['feat', 'fix', 'perf', 'docs', 'style', 'test', 'ci', 'chore', 'build', 'refactor'];
// Random lower-case types exercise "not in the table"; `revert` is left to the revert generator (see header).
const commitType = fc.oneof(
  { arbitrary: fc.constantFrom('feat', 'fix', ...KNOWN_TYPES), weight: 4 },
  { arbitrary: fc.stringMatching(/^[a-z]{2,8}$/).filter((t) => t !== 'revert'), weight: 1 },
);
const FOOTERS = ['Refs: #12', 'Closes #3', 'Reviewed-by: Ada Lovelace', 'Release-As: 9.0.0'];
const BREAKING_FOOTERS = ['BREAKING CHANGE: removes the old flag', 'BREAKING-CHANGE: renames the config key'];
/** Breaking changes are rare in real histories; keeping them rare lets minor and patch outcomes show up too. */
const rarely = fc.integer({ min: 0, max: 9 }).map((n) => n === 0);
const skipMarker = fc.constantFrom(null, null, null, null, null, null, 'subject' as const, 'body' as const);
const skipText = fc.constantFrom('[skip release]', '[release skip]');

type Spec =
  | {
      kind: 'conv';
      type: string;
      scope: string | null;
      bang: boolean;
      subject: string;
      pr: number | null;
      body: string | null;
      footers: string[];
      skip: 'subject' | 'body' | null;
      marker: string;
    }
  | {
      kind: 'plain';
      subject: string;
      body: string | null;
      breaking: boolean;
      skip: 'subject' | 'body' | null;
      marker: string;
    }
  | { kind: 'merge'; pr: number; title: string }
  | { kind: 'revert'; pick: number; gitStyle: boolean; inRange: boolean };

const convSpec = fc.record({
  kind: fc.constant('conv' as const),
  type: commitType,
  scope: fc.option(fc.stringMatching(/^[a-z0-9-]{1,10}$/), { nil: null }),
  bang: rarely,
  subject: words(1, 5),
  pr: fc.option(fc.integer({ min: 1, max: 9999 }), { nil: null }),
  body: fc.option(words(1, 8), { nil: null }),
  footers: fc
    .tuple(fc.subarray(FOOTERS), rarely, fc.constantFrom(...BREAKING_FOOTERS))
    .chain(([plain, breaking, note]) =>
      fc.shuffledSubarray(breaking ? [...plain, note] : plain, { minLength: plain.length }),
    ),
  skip: skipMarker,
  marker: skipText,
});
const plainSpec = fc.record({
  kind: fc.constant('plain' as const),
  subject: words(1, 4).map((s) => `update ${s}`),
  body: fc.option(words(1, 8), { nil: null }),
  breaking: rarely,
  skip: skipMarker,
  marker: skipText,
});
const mergeSpec = fc.record({
  kind: fc.constant('merge' as const),
  pr: fc.integer({ min: 1, max: 9999 }),
  title: fc.tuple(fc.constantFrom('feat', 'fix', 'docs'), words(1, 3)).map(([t, w]) => `${t}: ${w}`),
});
const revertSpec = fc.record({
  kind: fc.constant('revert' as const),
  pick: fc.nat(),
  gitStyle: fc.boolean(),
  inRange: fc.boolean(),
});

const hashOf = (i: number): string => (i + 1).toString(16).padStart(40, '0');
const foreignHash = (i: number): string => `f${(i + 1).toString(16).padStart(39, 'e')}`;

function render(specs: Spec[]): RawCommit[] {
  const history: RawCommit[] = [];
  const reverted = new Set<number>();
  specs.forEach((spec, i) => {
    const hash = hashOf(i);
    if (spec.kind === 'conv') {
      let header = `${spec.type}${spec.scope ? `(${spec.scope})` : ''}${spec.bang ? '!' : ''}: ${spec.subject}`;
      if (spec.skip === 'subject') header += ` ${spec.marker}`;
      if (spec.pr !== null) header += ` (#${spec.pr})`;
      const paragraphs = [header];
      if (spec.body) paragraphs.push(spec.body);
      if (spec.skip === 'body') paragraphs.push(spec.marker);
      if (spec.footers.length > 0) paragraphs.push(spec.footers.join('\n'));
      history.push({ hash, message: paragraphs.join('\n\n') });
    } else if (spec.kind === 'plain') {
      const paragraphs = [spec.skip === 'subject' ? `${spec.subject} ${spec.marker}` : spec.subject];
      if (spec.body) paragraphs.push(spec.body);
      if (spec.skip === 'body') paragraphs.push(spec.marker);
      if (spec.breaking) paragraphs.push('BREAKING CHANGE: drops support for the old format');
      history.push({ hash, message: paragraphs.join('\n\n') });
    } else if (spec.kind === 'merge') {
      history.push({
        hash,
        message: `Merge pull request #${spec.pr} from acme/topic-${i}\n\n${spec.title}`,
        parents: [hashOf(i - 1), foreignHash(i)],
      });
    } else {
      // A revert of an earlier commit in this range (each at most once), or of one from an earlier release.
      const j = spec.inRange && i > 0 ? spec.pick % i : -1;
      const inRange = j >= 0 && !reverted.has(j);
      if (inRange) reverted.add(j);
      const target = inRange ? history[j]! : { hash: foreignHash(i), message: 'feat: shipped long ago' };
      const targetHeader = target.message.split('\n', 1)[0]!;
      // The analyzer's revert pattern drops a trailing quote after `revert:`, so such headers use git's form.
      const gitStyle = spec.gitStyle || targetHeader.endsWith('"');
      const header = gitStyle ? `Revert "${targetHeader}"` : `revert: ${targetHeader}`;
      history.push({ hash, message: `${header}\n\nThis reverts commit ${target.hash}.` });
    }
  });
  return history;
}

const currentVersion = fc.constantFrom(null, '1.0.0', '2.7.3');

describe('differential: Cutter agrees with @semantic-release/commit-analyzer on the bump', () => {
  it('with the default rules on histories of features, fixes, chores, breaking changes, merges and skips', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ arbitrary: convSpec, weight: 6 }, { arbitrary: plainSpec, weight: 2 }, mergeSpec), {
          minLength: 1,
          maxLength: 12,
        }),
        currentVersion,
        async (specs, current) => {
          const history = render(specs);
          expect(cutterBump(history, DEFAULT_BUMP_RULES, current)).toBe(await referenceBump(history));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('with seed 003 rules (refactor/build/revert → patch) on histories with reverts and reverts of reverts', async () => {
    const rules = mergeBumpRules({ types: { refactor: 'patch', build: 'patch', revert: 'patch' } });
    // Custom rules replace the analyzer's defaults for a commit they match, so breaking is listed first to keep
    // precedence; feat/fix/perf and unmatched reverts fall through to the analyzer's defaults.
    const releaseRules: AnalyzerRule[] = [
      { breaking: true, release: 'major' },
      { type: 'refactor', release: 'patch' },
      { type: 'build', release: 'patch' },
      { type: 'revert', release: 'patch' },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            { arbitrary: convSpec, weight: 4 },
            { arbitrary: plainSpec, weight: 1 },
            { arbitrary: mergeSpec, weight: 1 },
            { arbitrary: revertSpec, weight: 4 },
          ),
          { minLength: 1, maxLength: 14 },
        ),
        currentVersion,
        async (specs, current) => {
          const history = render(specs);
          expect(cutterBump(history, rules, current)).toBe(await referenceBump(history, releaseRules));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('differential: the intended differences, pinned down', () => {
  const h = (i: number) => hashOf(i);

  it('pre-1.0: a breaking change on 0.x is a minor for Cutter, a major for the analyzer', async () => {
    const history = [{ hash: h(0), message: 'feat!: new api' }];
    expect(await referenceBump(history)).toBe('major');
    expect(cutterBump(history, DEFAULT_BUMP_RULES, '0.3.0')).toBe('minor');
  });

  it('[skip release]: Cutter excludes the commit; the analyzer alone would count it', async () => {
    const history = [{ hash: h(0), message: 'feat: hidden [skip release]' }];
    const unfiltered = await analyzeCommits(
      { preset: 'conventionalcommits' },
      { commits: history, logger: { log() {} }, cwd: process.cwd() },
    );
    expect(unfiltered).toBe('minor');
    expect(cutterBump(history, DEFAULT_BUMP_RULES, '1.0.0')).toBeNull();
  });

  it('merge commits: a BREAKING CHANGE note in a merge body counts for the analyzer, not for Cutter', async () => {
    const history = [{ hash: h(0), message: 'Merge branch topic\n\nBREAKING CHANGE: x', parents: [h(1), h(2)] }];
    expect(await referenceBump(history)).toBe('major');
    expect(cutterBump(history, DEFAULT_BUMP_RULES, '1.0.0')).toBeNull();
  });

  it('type case: `Feat:` is a feature for Cutter and nothing for the analyzer', async () => {
    const history = [{ hash: h(0), message: 'Feat: capitalised' }];
    expect(await referenceBump(history)).toBeNull();
    expect(cutterBump(history, DEFAULT_BUMP_RULES, '1.0.0')).toBe('minor');
  });

  it('reverts: Cutter cancels by hash even when the quoted header was edited; the analyzer does not', async () => {
    const history = [
      { hash: h(0), message: 'feat: risky' },
      { hash: h(1), message: `Revert "feat: risky thing"\n\nThis reverts commit ${h(0)}.` },
    ];
    expect(await referenceBump(history)).toBe('minor');
    expect(cutterBump(history, DEFAULT_BUMP_RULES, '1.0.0')).toBeNull();
  });

  it('reverts: an unmatched revert releases nothing by default in Cutter, a patch in the analyzer', async () => {
    const history = [{ hash: h(0), message: `Revert "feat: old"\n\nThis reverts commit ${foreignHash(0)}.` }];
    expect(await referenceBump(history)).toBe('patch');
    expect(cutterBump(history, DEFAULT_BUMP_RULES, '1.0.0')).toBeNull();
  });
});
