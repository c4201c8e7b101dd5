// Inserts a version section into a Keep a Changelog 1.1.0 file, touching no other byte.
import semver from 'semver';
import { CutterError } from './errors.js';
import { commitNotesItem, tagInUrl } from './notes.js';
import { checkRepoUrl, escapeMarkdownText } from './notes-escape.js';
import type { ParsedCommit } from './types.js';

export interface ChangelogEntry {
  version: string;
  /** The new tag (`v1.3.0`); when empty it is built from `tagTemplate` (`v{version}` by default). */
  tag: string;
  previousTag: string | null;
  /** ISO day `YYYY-MM-DD`, supplied by the caller (the core has no clock). */
  date: string;
  commits: ParsedCommit[];
  /** e.g. `https://github.com/acme/connector-x`; compare links and commit links are written only when given. */
  repoUrl?: string;
  tagTemplate?: string;
}

export interface ChangelogSubsection {
  title: string;
  types: readonly string[];
}

/**
 * Keep a Changelog's subsections in their documented order and the commit types each collects. Breaking
 * commits go to Changed (marked **BREAKING**) unless their type belongs to Removed; a `security` scope goes to
 * Security whatever the type. Types not listed (docs, chore, ci…) stay out of the changelog.
 */
export const CHANGELOG_SUBSECTIONS: readonly ChangelogSubsection[] = [
  { title: 'Added', types: ['feat'] },
  { title: 'Changed', types: ['refactor', 'perf', 'revert'] },
  { title: 'Deprecated', types: ['deprecate', 'deprecated'] },
  { title: 'Removed', types: ['remove', 'removed'] },
  { title: 'Fixed', types: ['fix'] },
  { title: 'Security', types: ['security'] },
];

export const CHANGELOG_HEADER = `# Changelog

All notable changes to this project will be documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

## [Unreleased]
`;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const HEADING2 = /^##(?!#)\s*(.*)$/;
const UNRELEASED = /^\[?unreleased\]?(\s|$)/i;
const LINK_DEF = /^ {0,3}\[([^\]]+)\]:[ \t]*(\S+)/;
const FENCE = /^ {0,3}(```|~~~)/;

interface Line {
  /** The line without its end-of-line bytes. */
  text: string;
  start: number;
  /** Offset just after the end-of-line bytes (or the end of the text). */
  end: number;
  /** Inside a fenced code block: never taken for a heading or a link definition. */
  fenced: boolean;
}

/**
 * The changelog with a `## [version] - date` section inserted below `## [Unreleased]` (above older versions)
 * and its compare links updated at the bottom. A new file (`existing` null or blank) gets the Keep a Changelog
 * header. When the version already has a section the input is returned unchanged, so running twice is harmless.
 */
export function updateChangelog(existing: string | null, entry: ChangelogEntry): string {
  checkEntry(entry);
  if (existing === null || existing.trim() === '') return updateChangelog(CHANGELOG_HEADER, entry);
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  const lines = splitLines(existing);
  checkFencesClosed(lines);
  if (lines.some((l) => !l.fenced && headingVersion(l.text) === entry.version)) return existing;

  const section = renderChangelogSection(entry).split('\n').join(eol);
  let text = insertSection(existing, lines, section, entry.version, eol);
  const repoUrl = checkRepoUrl(entry.repoUrl);
  if (repoUrl) text = updateLinks(text, entry, repoUrl, eol);
  return text;
}

/** The version section alone (LF line ends, no trailing blank line), e.g. for a release PR body. */
export function renderChangelogSection(entry: ChangelogEntry): string {
  checkEntry(entry);
  const repoUrl = checkRepoUrl(entry.repoUrl) ?? null;
  const buckets = new Map<string, string[]>(CHANGELOG_SUBSECTIONS.map((s) => [s.title, []]));
  for (const commit of entry.commits) {
    if (!commit.conventional || commit.type === null) continue;
    const title = subsectionOf(commit);
    if (title === null) continue;
    buckets.get(title)?.push(changelogItem(commit, repoUrl));
  }
  const out = [`## [${entry.version}] - ${entry.date}`];
  for (const [title, items] of buckets) {
    if (items.length === 0) continue;
    out.push('', `### ${title}`, '', ...items);
  }
  return out.join('\n');
}

function checkEntry(entry: ChangelogEntry): void {
  if (!semver.valid(entry.version)) {
    throw new CutterError(
      'CUTTER_INVALID_VERSION',
      `changelog entry ${JSON.stringify(entry.version)}: not a SemVer version`,
      {
        hint: 'pass a version such as 1.3.0 or 2.0.0-rc.1',
      },
    );
  }
  if (!DATE.test(entry.date)) {
    throw new CutterError('CUTTER_BAD_INPUT', `changelog date ${JSON.stringify(entry.date)} is not YYYY-MM-DD`, {
      hint: 'pass the release day as an ISO date, e.g. 2026-11-25',
    });
  }
}

function subsectionOf(commit: ParsedCommit): string | null {
  const byType = CHANGELOG_SUBSECTIONS.find((s) => s.types.includes(commit.type ?? ''))?.title ?? null;
  if (commit.scope?.toLowerCase() === 'security') return 'Security';
  if (commit.breaking) return byType === 'Removed' ? 'Removed' : 'Changed';
  return byType;
}

function changelogItem(commit: ParsedCommit, repoUrl: string | null): string {
  // A revert's subject is the reverted header (`feat: add x`); under Changed it must say it was reverted.
  const text = commit.type === 'revert' ? `Revert "${commit.subject}"` : commit.subject;
  const base = commitNotesItem(commit, text, repoUrl).text;
  if (!commit.breaking) return `- ${base}`;
  // The footer text is what users must act on; the subject alone rarely says it.
  const notes = commit.breakingNotes
    .map((n) => n.trim())
    .filter((n) => n !== '' && n !== commit.subject.trim())
    .map((n) => {
      // Blank lines would end the sub-bullet's paragraph (see commitNotesItem): dropped.
      const noteLines = n
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '');
      return `  - ${noteLines.map(escapeMarkdownText).join('\n    ')}`;
    });
  return [`- **BREAKING:** ${base}`, ...notes].join('\n');
}

function insertSection(text: string, lines: Line[], section: string, version: string, eol: string): string {
  const unreleased = lines.findIndex((l) => isHeading(l) && UNRELEASED.test(headingText(l)));
  // Newest first, below Unreleased and whatever it holds: the section goes above the first older version, so a
  // hotfix 1.2.4 released after 2.0.0 lands between 2.0.0 and 1.2.3. A heading that names no version counts as
  // older: nothing is inserted below text Cutter does not understand.
  const older = lines.findIndex((l, i) => {
    if (i <= unreleased || !isHeading(l) || UNRELEASED.test(headingText(l))) return false;
    const v = semverOf(headingVersion(l.text));
    return v === null || semver.lt(v, version);
  });
  if (older >= 0) return insertAt(text, lines, older, `${section}${eol}${eol}`, eol, false);
  const defs = trailingLinkDefinitions(lines);
  if (defs >= 0) return insertAt(text, lines, defs, `${section}${eol}${eol}`, eol, false);
  return appendBlock(text, section, eol);
}

function updateLinks(text: string, entry: ChangelogEntry, repoUrl: string, eol: string): string {
  const tag = entryTag(entry);
  const versionUrl = entry.previousTag
    ? `${repoUrl}/compare/${tagInUrl(entry.previousTag)}...${tagInUrl(tag)}`
    : `${repoUrl}/releases/tag/${tagInUrl(tag)}`;
  const unreleasedUrl = `${repoUrl}/compare/${tagInUrl(tag)}...HEAD`;
  let lines = splitLines(text);
  const hasUnreleasedHeading = lines.some((l) => isHeading(l) && UNRELEASED.test(headingText(l)));
  // Unreleased compares against the newest release: a maintenance release of an older line leaves it alone.
  const isNewest = lines.every((l) => {
    const v = isHeading(l) ? semverOf(headingVersion(l.text)) : null;
    return v === null || !semver.gt(v, entry.version);
  });

  const linkDefs = () =>
    lines
      .map((l, i) => ({ line: l, i, m: l.fenced ? null : LINK_DEF.exec(l.text) }))
      .flatMap((d) => (d.m ? [{ ...d, label: d.m[1] ?? '', m: d.m }] : []));
  let defs = linkDefs();
  const unreleasedDef = defs.find((d) => d.label.toLowerCase() === 'unreleased');
  if (unreleasedDef && isNewest) {
    // Only the URL changes: the label keeps the user's spelling (`[unreleased]` or `[Unreleased]`).
    const urlEnd = unreleasedDef.line.start + unreleasedDef.m[0].length;
    const urlStart = urlEnd - (unreleasedDef.m[2]?.length ?? 0);
    text = text.slice(0, urlStart) + unreleasedUrl + text.slice(urlEnd);
    lines = splitLines(text);
    defs = linkDefs();
  }

  const newDefs = [`[${entry.version}]: ${versionUrl}`];
  if (!unreleasedDef && hasUnreleasedHeading && isNewest) newDefs.unshift(`[Unreleased]: ${unreleasedUrl}`);
  const block = newDefs.join(eol) + eol;

  // Same order as the sections: before the first older version's link, else after the last version link.
  const versionDefs = defs.filter((d) => semverOf(d.label) !== null);
  const olderDef = versionDefs.find((d) => semver.lt(semverOf(d.label) ?? '0.0.0', entry.version));
  if (olderDef) return insertAt(text, lines, olderDef.i, block, eol, true);
  const lastDef = versionDefs.at(-1) ?? defs.find((d) => d.label.toLowerCase() === 'unreleased');
  if (lastDef) return insertAt(text, lines, lastDef.i + 1, block, eol, true);
  return appendBlock(text, newDefs.join(eol), eol, lastLineIsLinkDef(lines));
}

// `1.2.0` or `v1.2.0` → `1.2.0`; anything else → null.
function semverOf(label: string | null): string | null {
  if (label === null) return null;
  const v = label.replace(/^v/, '');
  return semver.valid(v) === v ? v : null;
}

function entryTag(entry: ChangelogEntry): string {
  return entry.tag !== '' ? entry.tag : (entry.tagTemplate ?? 'v{version}').replace('{version}', entry.version);
}

// Inserts before line `index` (or at the very end when index is past the last line); unless `tight`, the block
// is kept apart from a preceding non-blank line by a blank one.
function insertAt(text: string, lines: Line[], index: number, block: string, eol: string, tight: boolean): string {
  const line = lines[index];
  if (!line) return appendBlock(text, block.slice(0, block.length - eol.length), eol, tight);
  const previous = lines[index - 1];
  const prefix = !tight && previous && previous.text.trim() !== '' ? eol : '';
  return text.slice(0, line.start) + prefix + block + text.slice(line.start);
}

// Appends at the end of the file; a file without a final newline keeps having none.
function appendBlock(text: string, block: string, eol: string, tight = false): string {
  const endsWithEol = text.endsWith('\n');
  let prefix = endsWithEol ? '' : eol;
  const lastNonEmpty = text.replace(/(\r?\n)+$/, '');
  const blankBefore = /\r?\n\r?\n$/.test(text) || lastNonEmpty === '';
  if (!tight && !blankBefore) prefix += eol;
  return text + prefix + block + (endsWithEol ? eol : '');
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  let fenced = false;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl + 1;
    const raw = text.slice(start, nl < 0 ? text.length : nl).replace(/\r$/, '');
    const isFence = FENCE.test(raw);
    lines.push({ text: raw, start, end, fenced: fenced || isFence });
    if (isFence) fenced = !fenced;
    start = end;
  }
  return lines;
}

// An unclosed ``` runs to the end of the file: a section added there would render as code, and the next run
// would not see it (and add it again). Better to stop and say where.
function checkFencesClosed(lines: Line[]): void {
  let open = -1;
  lines.forEach((l, i) => {
    if (FENCE.test(l.text)) open = open < 0 ? i : -1;
  });
  if (open >= 0) {
    throw new CutterError(
      'CUTTER_BAD_INPUT',
      `the changelog opens a code block at line ${open + 1} and never closes it`,
      {
        hint: 'close the code block with a line of ``` (or ~~~), then run again',
      },
    );
  }
}

function isHeading(line: Line): boolean {
  return !line.fenced && HEADING2.test(line.text);
}

function headingText(line: Line): string {
  return (HEADING2.exec(line.text)?.[1] ?? '').trim();
}

// `## [1.2.0] - 2026-01-02`, `## 1.2.0 (2026-01-02)`, `## [v1.2.0]` all name version 1.2.0.
function headingVersion(text: string): string | null {
  const m = HEADING2.exec(text);
  if (!m) return null;
  const v = /^\[?v?([^\]\s]+)\]?/.exec((m[1] ?? '').trim());
  return v?.[1] ?? null;
}

function trailingLinkDefinitions(lines: Line[]): number {
  let first = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i];
    if (!l) continue;
    if (l.text.trim() === '') continue;
    if (!l.fenced && LINK_DEF.test(l.text)) first = i;
    else break;
  }
  return first;
}

function lastLineIsLinkDef(lines: Line[]): boolean {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i];
    if (!l || l.text.trim() === '') continue;
    return !l.fenced && LINK_DEF.test(l.text);
  }
  return false;
}
