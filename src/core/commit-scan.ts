// Reads what the release decision and the notes need from a commit, without building its body or footer list.

import {
  type FooterStart,
  footerStartAt,
  hasSkipMarker,
  isBlank,
  issueRefs,
  parseCommit,
  readHeader,
  releaseAsOf,
} from './commit-parse.js';
import type { Footer, ParsedCommit, RawCommit } from './types.js';

/** Shared by every lean commit: nothing may push into it (the lean result is read-only by contract). */
const NONE: never[] = Object.freeze([]) as unknown as never[];

/**
 * `parseCommit` minus what a 100k-commit range cannot afford to keep: `body` is empty and `footers` is empty
 * unless the commit is breaking (the bump explanation reads breaking footers). Every other field is what
 * `parseCommit` gives. Ordinary messages are read by scanning the string once; rare shapes (breaking changes,
 * CR line ends, leading blank lines) go through `parseCommit` itself, so they cannot drift apart.
 * The arrays of the result may be shared between commits: treat them as read-only.
 */
export function scanCommit(raw: RawCommit): ParsedCommit {
  const message = raw.message ?? '';
  const nl = message.indexOf('\n');
  // A copy, so that the header and subject a caller keeps do not pin the whole (maybe megabyte) message in memory.
  const headerLine = detach(nl < 0 ? message : message.slice(0, nl));
  if (message.includes('BREAKING') || message.includes('\r') || isBlank(headerLine)) return lean(parseCommit(raw));
  const header = headerLine.trim();
  const facts = readHeader(header, message, raw.parents);
  if (facts.bang) return lean(parseCommit(raw));

  const footers = nl < 0 ? NONE : trailingFooters(message, nl + 1);
  const parsed: ParsedCommit = {
    hash: raw.hash,
    header,
    type: facts.type,
    scope: facts.scope,
    subject: facts.subject,
    body: '',
    footers: NONE,
    breaking: false,
    breakingNotes: NONE,
    conventional: facts.conventional,
    merge: facts.merge,
    revert: facts.revert,
    pr: facts.pr,
    refs: footers.length === 0 ? NONE : issueRefs(footers),
    releaseAs: footers.length === 0 ? null : releaseAsOf(footers),
    skipRelease: hasSkipMarker(message),
  };
  if (parsed.refs.length === 0) parsed.refs = NONE;
  if (raw.authorName !== undefined) parsed.authorName = raw.authorName;
  if (raw.authorEmail !== undefined) parsed.authorEmail = raw.authorEmail;
  if (raw.date !== undefined) parsed.date = raw.date;
  return parsed;
}

/**
 * A flat copy of `s`: V8 flattens a concatenation before slicing it, so the result shares no memory with the
 * string `s` was sliced from.
 */
function detach(s: string): string {
  return ` ${s}`.slice(1);
}

function lean(commit: ParsedCommit): ParsedCommit {
  commit.body = '';
  commit.header = detach(commit.header);
  commit.subject = detach(commit.subject);
  if (commit.breaking) {
    commit.breakingNotes = commit.breakingNotes.map(detach);
    commit.footers = commit.footers.map((f) => ({ token: detach(f.token), value: detach(f.value) }));
  } else {
    commit.footers = NONE;
    commit.breakingNotes = NONE;
  }
  if (commit.refs.length === 0) commit.refs = NONE;
  return commit;
}

/** JavaScript's `trim()` whitespace that can start a line; anything else at a line's start means "not blank". */
function mayBeBlank(message: string, start: number, end: number): boolean {
  if (start === end) return true;
  const c = message.charCodeAt(start);
  if (c > 32 && c !== 0xa0 && c < 0x1680) return false;
  return isBlank(message.slice(start, end));
}

/**
 * The footers of a message without the word BREAKING and without CR: the longest run of trailing paragraphs that
 * each open with a footer line (with no breaking footer, a paragraph cannot continue one), read as `parseCommit`
 * reads them. `from` is where the line after the header starts.
 */
function trailingFooters(message: string, from: number): Footer[] {
  let blockStart = -1;
  let previousBlank = true;
  for (let start = from; start <= message.length; ) {
    let end = message.indexOf('\n', start);
    if (end < 0) end = message.length;
    const blank = mayBeBlank(message, start, end);
    if (!blank && previousBlank) {
      if (footerStartAt(message, start, end) === null) blockStart = -1;
      else if (blockStart < 0) blockStart = start;
    }
    previousBlank = blank;
    start = end + 1;
  }
  if (blockStart < 0) return NONE;

  const footers: Footer[] = [];
  let current: { token: string; lines: string[] } | null = null;
  const flush = (): void => {
    if (current) footers.push({ token: current.token, value: footerValue(current.lines) });
  };
  for (let start = blockStart; start <= message.length; ) {
    let end = message.indexOf('\n', start);
    if (end < 0) end = message.length;
    const footer: FooterStart | null = footerStartAt(message, start, end);
    if (footer) {
      flush();
      current = { token: footer.token, lines: [footer.value] };
    } else if (current) {
      current.lines.push(message.slice(start, end));
    }
    start = end + 1;
  }
  flush();
  return footers;
}

/** A footer's value as `parseCommit` keeps it: its lines without surrounding blank lines, trimmed. */
function footerValue(lines: string[]): string {
  if (lines.length === 1) return lines[0]!.trim();
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start]!)) start++;
  while (end > start && isBlank(lines[end - 1]!)) end--;
  return lines.slice(start, end).join('\n').trim();
}
