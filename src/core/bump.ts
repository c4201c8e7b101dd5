// Decides the bump for a range of commits and explains, commit by commit, why.

import semver from 'semver';
import { CutterError } from './errors.js';
import { IntList, StringPool } from './packed.js';
import type { Bump, BumpDecision, BumpLevel, BumpReason, BumpRules, BumpSummary, ParsedCommit } from './types.js';

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

/** One text per commit of the range, by position (its hashes, its headers). */
interface RangeTexts {
  readonly length: number;
  get(index: number): string;
  /** The first 7 characters as a number when they are lowercase hex held as such, else -1 (`StringPool`). */
  hexPrefix7?(index: number): number;
}

/** A revert of the range: where it stands among the live commits, and what it names. */
interface RangeRevert {
  at: number;
  target: { header: string; hash: string | null };
}

/**
 * Finds the commit a revert undoes inside the range: by hash (full or abbreviated), else by its header. Commits are
 * positions in the range (its hashes and headers), so a fold need not keep them. Only the commits some revert can
 * name are indexed (2k reverts among 100k commits index a few thousand, not 100k), and candidates are kept in range
 * order, so the first match is the one a scan of the range would find.
 */
class RevertTargets {
  private byHash: Map<string, number> | undefined;
  private byPrefix: Map<string, number | number[]> | undefined;
  private byHeader: Map<string, number[]> | undefined;

  // Each index is built on first use: a range without hash-less reverts never needs the header one.
  constructor(
    private readonly hashes: RangeTexts,
    private readonly headers: RangeTexts,
    private readonly reverts: readonly RangeRevert[],
  ) {}

  /** Commits by full hash and by their first 7 hash characters (a list only when several share them). */
  private indexHashes(): void {
    const exact = new Set<string>();
    const prefixes = new Set<string>();
    for (const r of this.reverts) {
      const hash = r.target.hash;
      if (!hash) continue;
      exact.add(hash);
      if (hash.length >= MIN_PREFIX) prefixes.add(hash.slice(0, MIN_PREFIX));
    }
    // The same prefixes as numbers, for commits whose prefix can be read without decoding their hash.
    const prefixNumbers = new Set<number>();
    for (const p of prefixes) if (/^[0-9a-f]{7}$/.test(p)) prefixNumbers.add(Number.parseInt(p, 16));
    const byHash = new Map<string, number>();
    const byPrefix = new Map<string, number | number[]>();
    for (let i = 0; i < this.hashes.length; i++) {
      const quick = this.hashes.hexPrefix7?.(i) ?? -1;
      // A lowercase hex prefix that no revert names: skipped without decoding (most of 100k commits).
      if (quick >= 0 && !prefixNumbers.has(quick)) continue;
      const hash = this.hashes.get(i);
      if (hash.length < MIN_PREFIX) {
        const h = hash.toLowerCase();
        if (exact.has(h)) byHash.set(h, i);
        continue;
      }
      const key = hash.slice(0, MIN_PREFIX).toLowerCase();
      // A target that shares no 7 leading characters with this commit can match it neither way.
      if (!prefixes.has(key)) continue;
      byHash.set(hash.toLowerCase(), i);
      const known = byPrefix.get(key);
      if (known === undefined) byPrefix.set(key, i);
      else if (Array.isArray(known)) known.push(i);
      else byPrefix.set(key, [known, i]);
    }
    this.byHash = byHash;
    this.byPrefix = byPrefix;
  }

  private indexHeaders(): Map<string, number[]> {
    if (this.byHeader) return this.byHeader;
    const wanted = new Set<string>();
    for (const r of this.reverts) if (!r.target.hash) wanted.add(r.target.header);
    this.byHeader = new Map();
    for (let i = 0; i < this.headers.length; i++) {
      const header = this.headers.get(i);
      if (wanted.has(header)) push(this.byHeader, header, i);
      const bare = withoutPrSuffix(header);
      if (bare !== header && wanted.has(bare)) push(this.byHeader, bare, i);
    }
    return this.byHeader;
  }

  /** The position of the commit `revert` undoes, or -1 when the range does not hold it. */
  find(revert: RangeRevert, taken: Set<number>): number {
    const target = revert.target;
    if (target.hash) {
      if (!this.byHash || !this.byPrefix) this.indexHashes();
      const exact = this.byHash!.get(target.hash);
      if (exact !== undefined) return exact;
      if (target.hash.length < MIN_PREFIX) return -1;
      // Either hash may be the abbreviation of the other; both then share their first 7 characters.
      const entry = this.byPrefix!.get(target.hash.slice(0, MIN_PREFIX));
      for (const i of entry === undefined ? [] : Array.isArray(entry) ? entry : [entry]) {
        const h = this.hashes.get(i).toLowerCase();
        if (h.startsWith(target.hash) || target.hash.startsWith(h)) return i;
      }
      // The hash is authoritative: a revert of a commit from an earlier release does not undo a namesake here.
      return -1;
    }
    for (const i of this.indexHeaders().get(target.header) ?? []) {
      if (i !== revert.at && !taken.has(i)) return i;
    }
    return -1;
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
 * Commits are positions among `hashes`/`headers`; the answer maps each cancelled position to why.
 */
function cancelledByReverts(
  hashes: RangeTexts,
  headers: RangeTexts,
  reverts: readonly RangeRevert[],
): Map<number, string> {
  const cancelled = new Map<number, string>();
  if (reverts.length === 0) return cancelled;

  const targets = new RevertTargets(hashes, headers, reverts);
  const targetOf = new Map<number, number>();
  const revertsOf = new Map<number, number[]>();
  const taken = new Set<number>();
  for (const r of reverts) {
    const target = targets.find(r, taken);
    if (target < 0 || target === r.at) continue;
    taken.add(target);
    targetOf.set(r.at, target);
    const list = revertsOf.get(target);
    if (list) list.push(r.at);
    else revertsOf.set(target, [r.at]);
  }

  // inEffect(c) = no revert in effect undoes c. Iterative post-order so a long revert chain cannot blow the stack.
  const inEffect = new Map<number, boolean>();
  const visiting = new Set<number>();
  const resolve = (root: number): boolean => {
    const stack: number[] = [root];
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
    if (!cancelled.has(target)) {
      cancelled.set(target, `reverted by ${short(hashes.get(revert))} in this range → cancelled`);
    }
    cancelled.set(revert, `reverts ${short(hashes.get(target))} in this range → both cancelled`);
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

/** What a commit's own reason says, apart from the commit: shared by every commit that says the same. */
interface Verdict {
  bump: Bump;
  why: string;
  trigger?: string;
}

const MERGE: Verdict = { bump: null, why: 'merge commit → counts nothing itself (the merged commits count)' };
const NOT_CONVENTIONAL: Verdict = { bump: null, why: 'not a Conventional Commit → no release' };

/**
 * The verdicts of one rule table and current version, each made once: a range of 100k commits has a few dozen
 * distinct ones (one per type, breaking label and level), and reading them by type makes no string per commit.
 */
class Verdicts {
  private readonly byType = new Map<string, Verdict>();
  private readonly byBreaking = new Map<string, Verdict>();

  constructor(
    private readonly rules: BumpRules,
    private readonly preMajor: boolean,
  ) {}

  of(c: ParsedCommit): Verdict {
    if (c.merge) return MERGE;
    if (c.breaking) {
      const trigger = breakingLabel(c);
      let verdict = this.byBreaking.get(trigger);
      if (verdict === undefined) {
        verdict = this.breaking(trigger);
        this.byBreaking.set(trigger, verdict);
      }
      return verdict;
    }
    if (!c.conventional || c.type === null) return NOT_CONVENTIONAL;
    let verdict = this.byType.get(c.type);
    if (verdict === undefined) {
      verdict = this.typed(c.type);
      this.byType.set(c.type, verdict);
    }
    return verdict;
  }

  private breaking(trigger: string): Verdict {
    if (this.preMajor && this.rules.preMajorBreaking !== 'major') {
      const level = this.rules.preMajorBreaking;
      return { bump: level, why: `${trigger} → major (pre-1.0: ${level})`, trigger };
    }
    return { bump: 'major', why: `${trigger} → major`, trigger };
  }

  private typed(type: string): Verdict {
    const level = Object.hasOwn(this.rules.types, type) ? this.rules.types[type] : undefined;
    if (level === undefined) return { bump: null, why: `type "${type}" is not in the bump rules → no release` };
    if (level === 'none') return { bump: null, why: `${type} → no release` };
    if (level === 'minor' && this.preMajor && this.rules.preMajorFeature === 'patch') {
      return { bump: 'patch', why: `${type} → minor (pre-1.0: patch)`, trigger: type };
    }
    return { bump: level, why: `${type} → ${level}`, trigger: type };
  }
}

/** A commit's own reason: its verdict, for this commit. */
const reasonOfCommit = (c: ParsedCommit, v: Verdict): BumpReason =>
  v.trigger === undefined
    ? { hash: c.hash, header: c.header, bump: v.bump, why: v.why }
    : { hash: c.hash, header: c.header, bump: v.bump, why: v.why, trigger: v.trigger };

/**
 * Decides the bump for `commits` (any order) since `currentVersion` (null before the first release).
 * Highest level wins; every commit gets a reason; `causes` are the commits that produced the winning level.
 */
export function decideBump(commits: ParsedCommit[], rules: BumpRules, currentVersion: string | null): BumpDecision {
  const fold = new BumpFold(rules, currentVersion, { explainAll: true });
  for (const c of commits) fold.add(c);
  return fold.decision();
}

const LEVELS: readonly Bump[] = [null, 'patch', 'minor', 'major'];
const levelCode = (bump: Bump): number => (bump === null ? 0 : RANK[bump]);

/**
 * `decideBump` one commit at a time, so a long range need not be held: `add` each commit in range order, then ask
 * for the `summary` (what a release needs) or, with `explainAll`, the whole `decision`. Without `explainAll` a
 * commit leaves behind, packed, its hash and header (a revert may name it) and, when it may cause the bump, its
 * level and why. Whether a commit is cancelled by a revert is only known at the end of the range: until then its
 * reason waits. The summary's causes are made into objects a slice at a time, afresh each time (read-only).
 */
export class BumpFold {
  private readonly verdicts: Verdicts;
  private readonly keepEvery: boolean;
  /** Hash and header of each live commit (not `[skip release]`), by position: what a revert finds its target by. */
  private readonly hashes = new StringPool('hex');
  /** The first 7 hex digits of each live hash as a number (-1: not readable so), read while the range streams. */
  private readonly hashPrefixes = new IntList();
  private readonly headers = new StringPool();
  private readonly reverts: RangeRevert[] = [];
  /** Live commits whose reason may end up among the causes (every live one when default patch is on), in order. */
  private readonly candidateAt = new IntList();
  /** Index into `texts` of the reason's why. */
  private readonly candidateWhy = new IntList();
  /** The level code (0–3) plus 4 × (1 + the index into `texts` of its trigger, or 0 for none). */
  private readonly candidateLevelTrigger = new IntList();
  /** The few distinct `why` and trigger texts (one per type and level), by index. */
  private readonly texts: string[] = [];
  private readonly textIndex = new Map<string, number>();
  /** Reasons made into objects for good, by live position: those with `Release-As`, and with a default patch every counted one (both get their `why` amended). */
  private readonly made = new Map<number, BumpReason>();
  /** Live commits with a `Release-As` footer, in order. */
  private readonly releaseAsAt: { at: number; value: string }[] = [];
  private nonConventional = 0;
  private skipped = 0;
  /** With `explainAll`: the commits, and every reason in commit order (`reasonAt` maps a live position into it). */
  private readonly explained: {
    live: ParsedCommit[];
    skipped: ParsedCommit[];
    nonConventional: ParsedCommit[];
    reasons: BumpReason[];
    reasonAt: number[];
  } | null;
  private finished: { cancelled: Map<number, string>; summary: BumpSummary } | null = null;

  constructor(
    private readonly rules: BumpRules,
    currentVersion: string | null,
    opts: { explainAll?: boolean } = {},
  ) {
    this.verdicts = new Verdicts(rules, isPreMajor(currentVersion));
    this.explained = opts.explainAll ? { live: [], skipped: [], nonConventional: [], reasons: [], reasonAt: [] } : null;
    // A default patch turns every counted commit into a cause: then all of them must wait.
    this.keepEvery = rules.defaultPatch;
  }

  add(c: ParsedCommit): void {
    if (this.finished) throw new Error('BumpFold.add after the decision was taken');
    const explained = this.explained;
    if (!c.conventional && !c.merge) {
      this.nonConventional++;
      explained?.nonConventional.push(c);
    }
    if (c.skipRelease) {
      this.skipped++;
      if (explained) {
        explained.skipped.push(c);
        explained.reasons.push({ hash: c.hash, header: c.header, bump: null, why: '[skip release] → excluded' });
      }
      return;
    }
    const at = this.hashes.add(c.hash);
    this.hashPrefixes.push(this.hashes.hexPrefix7(at));
    this.headers.add(c.header);
    if (c.revert !== null) this.reverts.push({ at, target: c.revert });
    const verdict = this.verdicts.of(c);
    if (this.keepEvery || verdict.bump !== null) {
      this.candidateAt.push(at);
      this.candidateWhy.push(this.textId(verdict.why));
      const trigger = verdict.trigger === undefined ? 0 : this.textId(verdict.trigger) + 1;
      this.candidateLevelTrigger.push(levelCode(verdict.bump) + 4 * trigger);
    }
    // Only the reasons that are kept, or will be amended, are made into objects now.
    const own = explained || c.releaseAs !== null ? reasonOfCommit(c, verdict) : null;
    if (c.releaseAs !== null) {
      this.releaseAsAt.push({ at, value: c.releaseAs });
      this.made.set(at, own!);
    }
    if (explained) {
      explained.live.push(c);
      explained.reasonAt.push(explained.reasons.length);
      explained.reasons.push(own!);
    }
  }

  /** The bump, its causes and the `Release-As` override, plus how many commits were non-conventional or skipped. */
  summary(): BumpSummary {
    return this.finish().summary;
  }

  /** Everything `decideBump` answers; needs `explainAll`. */
  decision(): BumpDecision {
    const { cancelled, summary } = this.finish();
    const explained = this.explained;
    if (!explained) throw new Error('BumpFold.decision needs explainAll');
    const reasons = explained.reasons;
    for (const [at, why] of cancelled) {
      const c = explained.live[at]!;
      reasons[explained.reasonAt[at]!] = { hash: c.hash, header: c.header, bump: null, why };
    }
    return {
      bump: summary.bump,
      causes: summary.causes.slice(),
      reasons,
      releaseAs: summary.releaseAs,
      skipped: explained.skipped,
      nonConventional: explained.nonConventional,
      cancelled: [...cancelled.keys()].map((at) => explained.live[at]!),
    };
  }

  private textId(text: string): number {
    let id = this.textIndex.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(text);
      this.textIndex.set(text, id);
    }
    return id;
  }

  /**
   * The reason of the `k`-th candidate as an object: the one `add` made when all are explained or it carries a
   * `Release-As`, else made now (and kept, with `remember`, for the next look).
   */
  private reasonOf(k: number, remember: boolean): BumpReason {
    const at = this.candidateAt.get(k);
    if (this.explained) return this.explained.reasons[this.explained.reasonAt[at]!]!;
    const known = this.made.get(at);
    if (known) return known;
    const packed = this.candidateLevelTrigger.get(k);
    const trigger = packed >> 2;
    const hash = this.hashes.get(at);
    const header = this.headers.get(at);
    const bump = LEVELS[packed & 3]!;
    const why = this.texts[this.candidateWhy.get(k)]!;
    // Two literals, not a spread of one into the other: 17k causes at 100k commits are made here, each cloned.
    const made: BumpReason =
      trigger === 0 ? { hash, header, bump, why } : { hash, header, bump, why, trigger: this.texts[trigger - 1]! };
    if (remember) this.made.set(at, made);
    return made;
  }

  /** The distinct truthy triggers of the candidates `ks`, in order, read without making their reasons. */
  private triggersOf(ks: IntList): string[] {
    const seen = new Set<string>();
    for (let i = 0; i < ks.length; i++) {
      const k = ks.get(i);
      const at = this.candidateAt.get(k);
      const made = this.explained ? this.explained.reasons[this.explained.reasonAt[at]!] : this.made.get(at);
      const id = this.candidateLevelTrigger.get(k) >> 2;
      const trigger = made ? made.trigger : id === 0 ? undefined : this.texts[id - 1];
      if (trigger) seen.add(trigger);
    }
    return [...seen];
  }

  /** The level of the `k`-th candidate now (a default patch may have raised it). */
  private levelOf(k: number): Bump {
    const at = this.candidateAt.get(k);
    const made = this.explained ? this.explained.reasons[this.explained.reasonAt[at]!] : this.made.get(at);
    return made ? made.bump : LEVELS[this.candidateLevelTrigger.get(k) & 3]!;
  }

  private finish(): { cancelled: Map<number, string>; summary: BumpSummary } {
    if (this.finished) return this.finished;
    const hashes = {
      length: this.hashes.length,
      get: (i: number) => this.hashes.get(i),
      hexPrefix7: (i: number) => this.hashPrefixes.get(i),
    };
    const cancelled = cancelledByReverts(hashes, this.headers, this.reverts);
    const candidates = this.candidateAt.length;
    const counted = (k: number): boolean => !cancelled.has(this.candidateAt.get(k));
    let bump: Bump = null;
    for (let k = 0; k < candidates; k++) {
      if (counted(k)) bump = higher(bump, LEVELS[this.candidateLevelTrigger.get(k) & 3]!);
    }

    // Every counted commit is a candidate when default patch is on (keepEvery).
    if (bump === null && this.rules.defaultPatch && this.hashes.length > cancelled.size) {
      bump = 'patch';
      for (let k = 0; k < candidates; k++) {
        if (!counted(k)) continue;
        const r = this.reasonOf(k, true);
        r.bump = 'patch';
        r.trigger = 'default patch';
        r.why = `${r.why}; default patch (new commits, none releasable) → patch`;
      }
    }

    let releaseAs: string | null = null;
    for (const { at, value } of this.releaseAsAt) {
      if (cancelled.has(at)) continue;
      const reason = this.explained ? this.explained.reasons[this.explained.reasonAt[at]!]! : this.made.get(at)!;
      const valid = semver.valid(value);
      if (!valid) {
        reason.why = `${reason.why}; Release-As "${value}" ignored: not SemVer`;
        continue;
      }
      reason.why = `${reason.why}; Release-As ${valid}`;
      if (releaseAs === null || semver.gt(valid, releaseAs)) releaseAs = valid;
    }

    const causes = new IntList();
    if (bump !== null) {
      for (let k = 0; k < candidates; k++) if (counted(k) && this.levelOf(k) === bump) causes.push(k);
    }
    this.finished = {
      cancelled,
      summary: {
        bump,
        // The last look at the reasons: those made now are the caller's, and not remembered.
        causes: {
          length: causes.length,
          slice: (start, end) => sliceOf(causes, start, end, (k) => this.reasonOf(k, false)),
          triggers: () => this.triggersOf(causes),
        },
        releaseAs,
        nonConventional: this.nonConventional,
        skipped: this.skipped,
      },
    };
    return this.finished;
  }
}

/** `Array.prototype.slice` over `list`, each element made by `make`. */
function sliceOf<T>(list: IntList, start = 0, end = list.length, make: (value: number) => T): T[] {
  const from = start < 0 ? Math.max(0, list.length + start) : Math.min(start, list.length);
  const to = end < 0 ? Math.max(0, list.length + end) : Math.min(end, list.length);
  const out: T[] = [];
  for (let i = from; i < to; i++) out.push(make(list.get(i)));
  return out;
}
