// Parses one raw commit message into a Conventional Commit (or records that it is not one), without ever throwing.

import type { Footer, ParsedCommit, RawCommit } from './types.js';

// Every pattern below is anchored and uses character classes that cannot overlap, so matching is linear even on
// a 1 MB message or 100k `(` characters: there is nothing for the engine to backtrack into.
const HEADER = /^([A-Za-z][A-Za-z0-9_-]*)(?:\(([^()\r\n]*)\))?(!)?: (.*)$/;
// `Token #value` keeps its `#` in the value (`Closes #3` → `#3`): the `#` is what makes a value an issue reference.
const FOOTER = /^(?:(BREAKING[ -]CHANGE)(?::[ \t]*| #)|([A-Za-z][A-Za-z0-9-]*)(?:: | (?=#)))/;
const GIT_REVERT = /^Revert "(.*)"$/;
const MERGE = /^Merge (?:pull request #(\d+) from |branch |branches |remote-tracking branch |tag |commit )/;
const REVERTS_COMMIT = /This reverts commit ([0-9a-fA-F]{4,64})/;
const SKIP = /\[(?:skip release|release skip)\]/i;
/**
 * An issue reference as GitHub reads one: `#123`, `GH-123` or `owner/repo#123` (group 1 is then the repository).
 * A bare number (`Refs: 1234567`, an abbreviated sha) or `abc#12` is not one.
 */
const ISSUE_REF = /(?<![\w./#-])(?:([\w.-]+\/[\w.-]+)#(\d+)|#(\d+)|GH-(\d+))(?!\w)/gi;

/** Footer tokens whose `#N` values name issues the commit refers to or closes (GitHub's closing keywords + Refs). */
const REFERENCE_TOKENS = new Set([
  'refs',
  'ref',
  'references',
  'see',
  'related',
  'issue',
  'issues',
  'close',
  'closes',
  'closed',
  'fix',
  'fixes',
  'fixed',
  'resolve',
  'resolves',
  'resolved',
  'part-of',
]);

export const isBlank = (line: string): boolean => line.length === 0 || line.trim() === '';

/** `feat: x (#123)` → { header: 'feat: x', pr: 123 }; GitHub appends the PR number when squash-merging. */
function splitPrSuffix(header: string): { text: string; pr: number | null } {
  if (!header.endsWith(')')) return { text: header, pr: null };
  const open = header.lastIndexOf(' (#');
  if (open < 0) return { text: header, pr: null };
  const digits = header.slice(open + 3, -1);
  if (digits.length === 0 || digits.length > 9 || !/^\d+$/.test(digits)) return { text: header, pr: null };
  return { text: header.slice(0, open).trimEnd(), pr: Number(digits) };
}

function breakingFooterToken(token: string): boolean {
  return token === 'BREAKING CHANGE' || token === 'BREAKING-CHANGE';
}

export interface FooterStart {
  token: string;
  value: string;
}

// The same pattern, sticky: reads a footer start at a line's offset inside the whole message without slicing.
const FOOTER_AT = new RegExp(FOOTER.source.slice(1), 'y');

/** The footer starting at `start` of `message` (a line from `start` to `end`), as `matchFooter` on that line. */
export function footerStartAt(message: string, start: number, end: number): FooterStart | null {
  FOOTER_AT.lastIndex = start;
  const m = FOOTER_AT.exec(message);
  if (!m) return null;
  return { token: (m[1] ?? m[2])!, value: message.slice(start + m[0].length, end) };
}

function matchFooter(line: string): FooterStart | null {
  const m = FOOTER.exec(line);
  if (!m) return null;
  return { token: (m[1] ?? m[2])!, value: line.slice(m[0].length) };
}

/**
 * Finds where the footer block starts among `lines[from..]`.
 *
 * A footer block is a run of trailing paragraphs that each start with a footer line (`Token: value`,
 * `Token #value`), except that a `BREAKING CHANGE` footer's value may span several paragraphs (a common way to
 * explain a migration). Body paragraphs that merely start with `Note: …` therefore only become footers when
 * nothing but footers follows them, as in git's own trailer convention.
 */
function findFooterStart(lines: string[], from: number, footerAt: (FooterStart | null)[]): number {
  const paragraphStarts: number[] = [];
  for (let i = from; i < lines.length; i++) {
    if (!isBlank(lines[i]!) && (i === from || isBlank(lines[i - 1]!))) paragraphStarts.push(i);
  }
  if (paragraphStarts.length === 0) return lines.length;

  // ok[p]: paragraph p may belong to a footer block that started earlier.
  const startsWithFooter: boolean[] = [];
  const ok: boolean[] = [];
  let lastTokenBreaking = false;
  let p = 0;
  for (let i = from; i < lines.length; i++) {
    const footer = matchFooter(lines[i]!);
    footerAt[i] = footer;
    if (p < paragraphStarts.length && i === paragraphStarts[p]) {
      startsWithFooter[p] = footer !== null;
      ok[p] = footer !== null || lastTokenBreaking;
      p++;
    }
    if (footer) lastTokenBreaking = breakingFooterToken(footer.token);
  }
  let lastBad = -1;
  for (let q = paragraphStarts.length - 1; q >= 0; q--) {
    if (!ok[q]) {
      lastBad = q;
      break;
    }
  }
  for (let q = lastBad + 1; q < paragraphStarts.length; q++) {
    if (startsWithFooter[q]) return paragraphStarts[q]!;
  }
  return lines.length;
}

function trimBlankLines(lines: string[], from = 0, to = lines.length): string[] {
  let start = from;
  let end = to;
  while (start < end && isBlank(lines[start]!)) start++;
  while (end > start && isBlank(lines[end - 1]!)) end--;
  return lines.slice(start, end);
}

function parseFooters(lines: string[], from: number, footerAt: (FooterStart | null)[]): Footer[] {
  const footers: Footer[] = [];
  let current: { token: string; lines: string[] } | null = null;
  const flush = (): void => {
    if (!current) return;
    const value = current.lines.length === 1 ? current.lines[0]! : trimBlankLines(current.lines).join('\n');
    footers.push({ token: current.token, value: value.trim() });
  };
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    const start = footerAt[i] ?? null;
    if (start) {
      flush();
      current = { token: start.token, lines: [start.value] };
    } else if (current) {
      current.lines.push(line);
    }
  }
  flush();
  return footers;
}

/** `BREAKING CHANGE:` lines written in the body rather than the footer block still announce a breaking change. */
function breakingNotesInBody(bodyLines: string[]): string[] {
  const notes: string[] = [];
  for (let i = 0; i < bodyLines.length; i++) {
    const line = bodyLines[i]!;
    if (!line.startsWith('BREAKING')) continue;
    const start = matchFooter(line);
    if (!start || !breakingFooterToken(start.token)) continue;
    const text = [start.value];
    while (i + 1 < bodyLines.length && !isBlank(bodyLines[i + 1]!) && !matchFooter(bodyLines[i + 1]!)) {
      text.push(bodyLines[++i]!);
    }
    notes.push(text.join('\n').trim());
  }
  return notes;
}

export function issueRefs(footers: Footer[]): number[] {
  const refs: number[] = [];
  if (footers.length === 0) return refs;
  const add = (n: number): void => {
    // A commit names a handful of issues, so a linear check beats allocating a Set per commit.
    if (Number.isSafeInteger(n) && !refs.includes(n)) refs.push(n);
  };
  for (const { token, value } of footers) {
    if (!REFERENCE_TOKENS.has(token.toLowerCase())) continue;
    if (!value.includes('#') && !/gh-/i.test(value)) continue;
    ISSUE_REF.lastIndex = 0;
    for (let m = ISSUE_REF.exec(value); m !== null; m = ISSUE_REF.exec(value)) {
      // `owner/repo#12` is an issue of another repository: linking it as this repository's #12 would be wrong.
      if (m[1] === undefined) add(Number(m[3] ?? m[4]));
    }
  }
  return refs;
}

/** Splits a message into lines without keeping `\r` from CRLF messages. */
function splitLines(message: string): string[] {
  const lines = message.split('\n');
  if (!message.includes('\r')) return lines;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
  }
  return lines;
}

/** The hash in git's `This reverts commit <sha>.` line, lower-cased, if the message has one. */
function revertedHash(message: string): string | null {
  if (!message.includes('This reverts commit')) return null;
  return REVERTS_COMMIT.exec(message)?.[1]?.toLowerCase() ?? null;
}

/** What the header line (and the parents) say about a commit. */
export interface HeaderFacts {
  type: string | null;
  scope: string | null;
  subject: string;
  bang: boolean;
  conventional: boolean;
  revert: ParsedCommit['revert'];
  pr: number | null;
  merge: boolean;
}

/** Reads the trimmed first line; `message` is only searched for git's `This reverts commit <sha>` line. */
export function readHeader(header: string, message: string, parents: readonly string[] | undefined): HeaderFacts {
  const { text: headerText, pr: squashPr } = splitPrSuffix(header);
  let type: string | null = null;
  let scope: string | null = null;
  let subject = header;
  let bang = false;
  let conventional = false;
  let revert: ParsedCommit['revert'] = null;
  let pr = squashPr;

  const mergeMatch = header.startsWith('Merge ') ? MERGE.exec(header) : null;
  const merge = mergeMatch !== null || (parents?.length ?? 0) > 1;
  if (mergeMatch?.[1]) pr = Number(mergeMatch[1]);

  const conv = HEADER.exec(headerText);
  const gitRevert = conv ? null : GIT_REVERT.exec(headerText);
  if (conv) {
    type = conv[1]!.toLowerCase();
    scope = conv[2]?.trim() || null;
    bang = conv[3] === '!';
    subject = conv[4]!.trim();
    conventional = true;
    if (type === 'revert') revert = { header: subject, hash: revertedHash(message) };
  } else if (gitRevert) {
    // git's own `Revert "feat: x"` is as clear an intent as `revert: feat: x`, so it is treated as that type.
    type = 'revert';
    subject = gitRevert[1]!;
    conventional = true;
    revert = { header: subject, hash: revertedHash(message) };
  }

  return { type, scope, subject, bang, conventional, revert, pr, merge };
}

/** `[skip release]` / `[release skip]` anywhere in the message, in any case. */
export function hasSkipMarker(message: string): boolean {
  return message.includes('[') && SKIP.test(message);
}

/** The last non-empty `Release-As` footer, trimmed. */
export function releaseAsOf(footers: readonly Footer[]): string | null {
  let releaseAs: string | null = null;
  for (const f of footers) if (f.token.toLowerCase() === 'release-as' && f.value) releaseAs = f.value.trim();
  return releaseAs;
}

/**
 * Reads one commit: Conventional Commits 1.0 header, body, footers (`Token: value`, `Token #value`, multi-line
 * values), breaking changes, `Release-As`, skip markers, merges, squash PR numbers and reverts. Never throws:
 * anything unrecognised is kept as a non-conventional commit (type null, the whole header as subject).
 */
export function parseCommit(raw: RawCommit): ParsedCommit {
  const message = raw.message ?? '';
  const allLines = splitLines(message);
  let first = 0;
  while (first < allLines.length - 1 && isBlank(allLines[first]!)) first++;
  const lines = first === 0 ? allLines : allLines.slice(first);
  const header = (lines[0] ?? '').trim();
  const footerAt: (FooterStart | null)[] = [];
  const footerStart = findFooterStart(lines, 1, footerAt);
  const bodyLines = trimBlankLines(lines, 1, footerStart);
  const footers = parseFooters(lines, footerStart, footerAt);

  const { type, scope, subject, bang, conventional, revert, pr, merge } = readHeader(header, message, raw.parents);
  const breakingNotes: string[] = [];
  for (const f of footers) if (breakingFooterToken(f.token)) breakingNotes.push(f.value);
  breakingNotes.push(...breakingNotesInBody(bodyLines));
  if (bang && breakingNotes.length === 0) breakingNotes.push(subject);

  const releaseAs = releaseAsOf(footers);

  const parsed: ParsedCommit = {
    hash: raw.hash,
    header,
    type,
    scope,
    subject,
    body: bodyLines.join('\n'),
    footers,
    breaking: bang || breakingNotes.length > 0,
    breakingNotes,
    conventional,
    merge,
    revert,
    pr,
    refs: issueRefs(footers),
    releaseAs,
    skipRelease: hasSkipMarker(message),
  };
  if (raw.authorName !== undefined) parsed.authorName = raw.authorName;
  if (raw.authorEmail !== undefined) parsed.authorEmail = raw.authorEmail;
  if (raw.date !== undefined) parsed.date = raw.date;
  return parsed;
}

/** Parses many commits; a plain loop so 100k commits stay well under a second. */
export function parseCommits(raws: Iterable<RawCommit>): ParsedCommit[] {
  const out: ParsedCommit[] = [];
  for (const raw of raws) out.push(parseCommit(raw));
  return out;
}
