// Decides the bump for a range of commits and explains, commit by commit, why.

import semver from 'semver';
import { CutterError } from './errors.js';
import type { Bump, BumpDecision, BumpLevel, BumpReason, BumpRules, ParsedCommit } from './types.js';

const RANK: Record<BumpLevel, number> = { patch: 1, minor: 2, major: 3 };

const short = (hash: string): string => hash.slice(0, 7);

function higher(a: Bump, b: Bump): Bump {
  if (a === null) return b;
  if (b === null) return a;
  return RANK[b] > RANK[a] ? b : a;
}

/** The pre-1.0 rules apply only when a released 0.x version exists; a first release has nothing to be pre-1.0 of. */
function isPreMajor(currentVersion: string | null): boolean {
  if (currentVersion === null) return false;
  const parsed = semver.parse(currentVersion);
  if (!parsed) {
    throw new CutterError('CUTTER_INVALID_VERSION', `current version "${currentVersion}" is not SemVer 2.0.0`, {
      hint: 'pass the version of the latest release tag (e.g. 1.2.3), or null when there is none',
    });
  }
  return parsed.major === 0;
}

const withoutPrSuffix = (header: string): string => header.replace(/ \(#\d{1,9}\)$/, '');

/** Where a git hash abbreviation must match in full: git never abbreviates below 7 characters by default. */
const MIN_PREFIX = 7;

/**
 * Finds the commit a revert undoes inside the range: by hash (full or abbreviated), else by its header. Only the
 * commits some revert can name are indexed (2k reverts among 100k commits index a few thousand, not 100k), and
 * candidates are kept in range order, so the first match is the one a scan of the range would find.
 */
class RevertTargets {
  private byHash: Map<string, ParsedCommit> | undefined;
  private byPrefix: Map<string, ParsedCommit | ParsedCommit[]> | undefined;
  private byHeader: Map<string, ParsedCommit[]> | undefined;

  // Each index is built on first use: a range without hash-less reverts never needs the header one.
  constructor(
    private readonly commits: readonly ParsedCommit[],
    private readonly reverts: readonly ParsedCommit[],
  ) {}

  /** Commits by full hash and by their first 7 hash characters (a list only when several share them). */
  private hashes(): void {
    const exact = new Set<string>();
    const prefixes = new Set<string>();
    for (const r of this.reverts) {
      const hash = r.revert!.hash;
      if (!hash) continue;
      exact.add(hash);
      if (hash.length >= MIN_PREFIX) prefixes.add(hash.slice(0, MIN_PREFIX));
    }
    const byHash = new Map<string, ParsedCommit>();
    const byPrefix = new Map<string, ParsedCommit | ParsedCommit[]>();
    for (const c of this.commits) {
      if (c.hash.length < MIN_PREFIX) {
        const h = c.hash.toLowerCase();
        if (exact.has(h)) byHash.set(h, c);
        continue;
      }
      const key = c.hash.slice(0, MIN_PREFIX).toLowerCase();
      // A target that shares no 7 leading characters with this commit can match it neither way.
      if (!prefixes.has(key)) continue;
      byHash.set(c.hash.toLowerCase(), c);
      const known = byPrefix.get(key);
      if (known === undefined) byPrefix.set(key, c);
      else if (Array.isArray(known)) known.push(c);
      else byPrefix.set(key, [known, c]);
    }
    this.byHash = byHash;
    this.byPrefix = byPrefix;
  }

  private headers(): Map<string, ParsedCommit[]> {
    if (this.byHeader) return this.byHeader;
    const wanted = new Set<string>();
    for (const r of this.reverts) if (!r.revert!.hash) wanted.add(r.revert!.header);
    this.byHeader = new Map();
    for (const c of this.commits) {
      if (wanted.has(c.header)) push(this.byHeader, c.header, c);
      const bare = withoutPrSuffix(c.header);
      if (bare !== c.header && wanted.has(bare)) push(this.byHeader, bare, c);
    }
    return this.byHeader;
  }

  find(revert: ParsedCommit, taken: Set<ParsedCommit>): ParsedCommit | null {
    const target = revert.revert!;
    if (target.hash) {
      if (!this.byHash || !this.byPrefix) this.hashes();
      const exact = this.byHash!.get(target.hash);
      if (exact) return exact;
      if (target.hash.length < MIN_PREFIX) return null;
      // Either hash may be the abbreviation of the other; both then share their first 7 characters.
      const entry = this.byPrefix!.get(target.hash.slice(0, MIN_PREFIX));
      for (const c of entry === undefined ? [] : Array.isArray(entry) ? entry : [entry]) {
        const h = c.hash.toLowerCase();
        if (h.startsWith(target.hash) || target.hash.startsWith(h)) return c;
      }
      // The hash is authoritative: a revert of a commit from an earlier release does not undo a namesake here.
      return null;
    }
    for (const c of this.headers().get(target.header) ?? []) {
      if (c !== revert && !taken.has(c)) return c;
    }
    return null;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * A revert whose target is in the same range cancels out with it: neither is released. A revert of a revert
 * restores the original, so a revert only cancels when it is itself still in effect. Independent of order.
 */
function cancelledByReverts(commits: ParsedCommit[]): Map<ParsedCommit, string> {
  const cancelled = new Map<ParsedCommit, string>();
  const reverts = commits.filter((c) => c.revert !== null);
  if (reverts.length === 0) return cancelled;

  const targets = new RevertTargets(commits, reverts);
  const targetOf = new Map<ParsedCommit, ParsedCommit>();
  const revertsOf = new Map<ParsedCommit, ParsedCommit[]>();
  const taken = new Set<ParsedCommit>();
  for (const c of commits) {
    if (!c.revert) continue;
    const target = targets.find(c, taken);
    if (!target || target === c) continue;
    taken.add(target);
    targetOf.set(c, target);
    const list = revertsOf.get(target);
    if (list) list.push(c);
    else revertsOf.set(target, [c]);
  }

  // inEffect(c) = no revert in effect undoes c. Iterative post-order so a long revert chain cannot blow the stack.
  const inEffect = new Map<ParsedCommit, boolean>();
  const visiting = new Set<ParsedCommit>();
  const resolve = (root: ParsedCommit): boolean => {
    const stack: ParsedCommit[] = [root];
    while (stack.length > 0) {
      const c = stack[stack.length - 1]!;
      if (inEffect.has(c)) {
        stack.pop();
        continue;
      }
      const reverts = revertsOf.get(c) ?? [];
      const pending = reverts.filter((r) => !inEffect.has(r) && !visiting.has(r));
      if (pending.length > 0 && !visiting.has(c)) {
        visiting.add(c);
        stack.push(...pending);
        continue;
      }
      // A cycle (only possible with forged hashes) is broken by treating the unresolved reverts as in effect.
      inEffect.set(c, !reverts.some((r) => inEffect.get(r) ?? true));
      visiting.delete(c);
      stack.pop();
    }
    return inEffect.get(root)!;
  };

  for (const [revert, target] of targetOf) {
    if (!resolve(revert)) continue;
    if (!cancelled.has(target)) cancelled.set(target, `reverted by ${short(revert.hash)} in this range → cancelled`);
    cancelled.set(revert, `reverts ${short(target.hash)} in this range → both cancelled`);
  }
  return cancelled;
}

function breakingLabel(c: ParsedCommit): string {
  if (c.footers.some((f) => f.token === 'BREAKING CHANGE' || f.token === 'BREAKING-CHANGE')) {
    return 'BREAKING CHANGE footer';
  }
  if (c.conventional && c.type && /^[^:]*!: /.test(c.header)) return `${c.type}!`;
  return 'BREAKING CHANGE';
}

/** One reason per commit means 100k reasons per range: identical `why` texts are shared, not rebuilt. */
const whyCache = new Map<string, string>();
function cachedWhy(key: string, build: () => string): string {
  let why = whyCache.get(key);
  if (why === undefined) {
    why = build();
    if (whyCache.size > 10_000) whyCache.clear();
    whyCache.set(key, why);
  }
  return why;
}

const reason = (c: ParsedCommit, bump: Bump, why: string, trigger?: string): BumpReason =>
  trigger === undefined
    ? { hash: c.hash, header: c.header, bump, why }
    : { hash: c.hash, header: c.header, bump, why, trigger };

function reasonFor(c: ParsedCommit, rules: BumpRules, preMajor: boolean): BumpReason {
  if (c.merge) return reason(c, null, 'merge commit → counts nothing itself (the merged commits count)');
  if (c.breaking) {
    const trigger = breakingLabel(c);
    if (preMajor && rules.preMajorBreaking !== 'major') {
      const level = rules.preMajorBreaking;
      return reason(
        c,
        level,
        cachedWhy(`b\0${trigger}\0${level}`, () => `${trigger} → major (pre-1.0: ${level})`),
        trigger,
      );
    }
    return reason(
      c,
      'major',
      cachedWhy(`b\0${trigger}`, () => `${trigger} → major`),
      trigger,
    );
  }
  if (!c.conventional || c.type === null) return reason(c, null, 'not a Conventional Commit → no release');
  const type = c.type;
  const level = Object.hasOwn(rules.types, type) ? rules.types[type] : undefined;
  if (level === undefined) {
    return reason(
      c,
      null,
      cachedWhy(`u\0${type}`, () => `type "${type}" is not in the bump rules → no release`),
    );
  }
  if (level === 'none')
    return reason(
      c,
      null,
      cachedWhy(`n\0${type}`, () => `${type} → no release`),
    );
  if (level === 'minor' && preMajor && rules.preMajorFeature === 'patch') {
    return reason(
      c,
      'patch',
      cachedWhy(`p\0${type}`, () => `${type} → minor (pre-1.0: patch)`),
      type,
    );
  }
  return reason(
    c,
    level,
    cachedWhy(`l\0${type}\0${level}`, () => `${type} → ${level}`),
    type,
  );
}

/**
 * Decides the bump for `commits` (any order) since `currentVersion` (null before the first release).
 * Highest level wins; every commit gets a reason; `causes` are the commits that produced the winning level.
 */
export function decideBump(commits: ParsedCommit[], rules: BumpRules, currentVersion: string | null): BumpDecision {
  const preMajor = isPreMajor(currentVersion);
  const skipped: ParsedCommit[] = [];
  const live: ParsedCommit[] = [];
  for (const c of commits) (c.skipRelease ? skipped : live).push(c);
  const cancelled = cancelledByReverts(live);

  const reasons: BumpReason[] = [];
  // Indexes into `commits`/`reasons` of the commits that count (not skipped, not cancelled).
  const counted: number[] = [];
  const nonConventional: ParsedCommit[] = [];
  let bump: Bump = null;
  for (let i = 0; i < commits.length; i++) {
    const c = commits[i]!;
    if (!c.conventional && !c.merge) nonConventional.push(c);
    if (c.skipRelease) {
      reasons.push({ hash: c.hash, header: c.header, bump: null, why: '[skip release] → excluded' });
      continue;
    }
    const cancelWhy = cancelled.get(c);
    if (cancelWhy !== undefined) {
      reasons.push({ hash: c.hash, header: c.header, bump: null, why: cancelWhy });
      continue;
    }
    const own = reasonFor(c, rules, preMajor);
    reasons.push(own);
    counted.push(i);
    bump = higher(bump, own.bump);
  }

  if (bump === null && rules.defaultPatch && counted.length > 0) {
    bump = 'patch';
    for (const i of counted) {
      const r = reasons[i]!;
      r.bump = 'patch';
      r.trigger = 'default patch';
      r.why = `${r.why}; default patch (new commits, none releasable) → patch`;
    }
  }

  let releaseAs: string | null = null;
  for (const i of counted) {
    const commit = commits[i]!;
    const reason = reasons[i]!;
    if (commit.releaseAs === null) continue;
    const valid = semver.valid(commit.releaseAs);
    if (!valid) {
      reason.why = `${reason.why}; Release-As "${commit.releaseAs}" ignored: not SemVer`;
      continue;
    }
    reason.why = `${reason.why}; Release-As ${valid}`;
    if (releaseAs === null || semver.gt(valid, releaseAs)) releaseAs = valid;
  }

  const causes = bump === null ? [] : reasons.filter((r) => r.bump === bump);
  return {
    bump,
    causes,
    reasons,
    releaseAs,
    skipped,
    nonConventional,
    cancelled: [...cancelled.keys()],
  };
}
