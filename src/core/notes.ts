// Renders the markdown release notes of one version from parsed commits, through an Eta template.
import { Eta } from 'eta';
import semver from 'semver';
import { defaultNotesMarkdown } from './default-notes.js';
import { CutterError } from './errors.js';
import {
  checkRepoUrl,
  escapeMarkdownText,
  type InlineLinkContext,
  mentionedReferences,
  renderInlineText,
} from './notes-escape.js';
import type { NotesInput, NotesSectionConfig, ParsedCommit } from './types.js';

/** The special section type that lists breaking-change notes (every breaking commit, whatever its type). */
export const BREAKING_SECTION = 'breaking';

/** Section order and titles, like the conventionalcommits preset; hidden types are left out of the notes. */
export const DEFAULT_NOTES_SECTIONS: readonly NotesSectionConfig[] = [
  { type: BREAKING_SECTION, title: '⚠ Breaking Changes' },
  { type: 'feat', title: 'Features' },
  { type: 'fix', title: 'Bug Fixes' },
  { type: 'perf', title: 'Performance Improvements' },
  { type: 'revert', title: 'Reverts' },
  { type: 'docs', title: 'Documentation', hidden: true },
  { type: 'style', title: 'Styles', hidden: true },
  { type: 'refactor', title: 'Code Refactoring', hidden: true },
  { type: 'test', title: 'Tests', hidden: true },
  { type: 'build', title: 'Build System', hidden: true },
  { type: 'ci', title: 'Continuous Integration', hidden: true },
  { type: 'chore', title: 'Miscellaneous Chores', hidden: true },
];

export interface NotesOptions {
  /** Replaces the whole section table (order and visibility); defaults to `DEFAULT_NOTES_SECTIONS`. */
  sections?: readonly NotesSectionConfig[];
  /** An Eta template string (data described in `notes-template.ts`); defaults to `DEFAULT_NOTES_TEMPLATE`. */
  template?: string;
  /** List non-conventional commits (and conventional ones of types absent from the table) under `otherTitle`. */
  listNonConventional?: boolean;
  /** Title of that last section; `Other` by default. */
  otherTitle?: string;
  /** List the unique commit authors; true by default. */
  contributors?: boolean;
}

export interface NotesReference {
  number: number;
  url: string | null;
}

export interface NotesItem {
  hash: string;
  shortHash: string;
  commitUrl: string | null;
  /** Escaped scope, or null. */
  scope: string | null;
  /** Escaped subject (or breaking note) with `#N` linked. */
  subject: string;
  pr: number | null;
  prUrl: string | null;
  /** Issues referenced by footers and not already linked in the subject. */
  refs: NotesReference[];
  /** The whole bullet as markdown, without the leading `- `. */
  text: string;
}

export interface NotesSection {
  type: string;
  title: string;
  items: NotesItem[];
}

export interface NotesContributor {
  /** Escaped display name. */
  name: string;
  email: string | null;
}

/** Everything a notes template sees; also useful as the structured form of the notes (`--json`). */
export interface NotesView {
  version: string;
  tag: string;
  previousTag: string | null;
  date: string;
  repoUrl: string | null;
  compareUrl: string | null;
  heading: string;
  sections: NotesSection[];
  contributors: NotesContributor[];
}

const OTHER_SECTION = 'other';
const SKIP_MARKER = /[ \t]*\[(?:skip release|release skip)\]/gi;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/**
 * Text that escaping, linking and trimming leave exactly as it is: no markdown/HTML specials, no `#` or `@`, no line
 * break, no surrounding space, and no character that would open a block at the start of a bullet.
 */
const PLAIN_TEXT = /^(?:[^\s\\[\]<>`#@\-+*=|~\d](?:[^\n\r\\[\]<>`#@]*[^\s\\[\]<>`#@])?)?$/;
const NO_REFERENCES: ReadonlySet<number> = new Set();

// One engine for the process: autoEscape off because the view is already markdown-escaped (XML escaping would
// turn `&lt;` into `&amp;lt;`), autoTrim off so that blank lines are exactly what the template says.
const eta = new Eta({ autoEscape: false, autoTrim: false, cache: false });

/** The markdown release notes for one version. Pure: the date and everything else come in through `input`. */
export function renderNotes(input: NotesInput, opts: NotesOptions = {}): string {
  // The default template written directly: the same markdown without a view object per bullet (100k commits).
  if (opts.template === undefined) return renderDefaultNotes(input, opts);
  const view = buildNotesView(input, opts);
  let out: string;
  try {
    out = eta.renderString(opts.template, view);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new CutterError('CUTTER_BAD_INPUT', `the release notes template failed: ${reason}`, {
      hint: 'check the Eta syntax (<% code %>, <%= value %>) and the field names described in notes-template.ts',
      cause: err,
    });
  }
  return out;
}

/** The data behind the notes: sections in table order, commits in input order inside each section. */
export function buildNotesView(input: NotesInput, opts: NotesOptions = {}): NotesView {
  const { repoUrl, compareUrl, heading } = notesFrame(input);
  return {
    version: input.version,
    tag: input.tag,
    previousTag: input.previousTag,
    date: input.date,
    repoUrl,
    compareUrl,
    heading,
    sections: notesSections(input, opts, (commit, rawText) => commitNotesItem(commit, rawText, repoUrl)),
    contributors: opts.contributors === false ? [] : contributorsOf(input.commits),
  };
}

/** What `DEFAULT_NOTES_TEMPLATE` renders from `buildNotesView`, built from the bullet texts alone. */
function renderDefaultNotes(input: NotesInput, opts: NotesOptions): string {
  const { repoUrl, heading } = notesFrame(input);
  return defaultNotesMarkdown(
    heading,
    notesSections(input, opts, (commit, rawText) => commitBulletText(commit, rawText, repoUrl)),
    opts.contributors === false ? [] : contributorsOf(input.commits).map((c) => c.name),
  );
}

/** Checks the version and date, and gives the links and the `## …` heading every rendering shares. */
function notesFrame(input: NotesInput): { repoUrl: string | null; compareUrl: string | null; heading: string } {
  if (!semver.valid(input.version)) {
    throw new CutterError(
      'CUTTER_INVALID_VERSION',
      `release notes for ${JSON.stringify(input.version)}: not a SemVer version`,
      {
        hint: 'pass a version such as 1.3.0 or 2.0.0-beta.1',
      },
    );
  }
  if (!DATE.test(input.date)) {
    throw new CutterError('CUTTER_BAD_INPUT', `release date ${JSON.stringify(input.date)} is not YYYY-MM-DD`, {
      hint: 'pass the date as an ISO day, e.g. 2026-11-25',
    });
  }
  const repoUrl = checkRepoUrl(input.repoUrl) ?? null;
  const compareUrl =
    repoUrl && input.previousTag ? `${repoUrl}/compare/${tagInUrl(input.previousTag)}...${tagInUrl(input.tag)}` : null;
  const title = input.version; // validated SemVer: nothing to escape
  const heading = compareUrl ? `## [${title}](${compareUrl}) (${input.date})` : `## ${title} (${input.date})`;
  return { repoUrl, compareUrl, heading };
}

/** The shown sections in table order, each commit made an item by `toItem` (with the text its bullet shows). */
function notesSections<T>(
  input: NotesInput,
  opts: NotesOptions,
  toItem: (commit: ParsedCommit, rawText: string) => T,
): { type: string; title: string; items: T[] }[] {
  const table = opts.sections ?? DEFAULT_NOTES_SECTIONS;
  const known = new Set(table.map((s) => s.type));
  const sections: { type: string; title: string; items: T[] }[] = [];

  for (const config of table) {
    if (config.hidden) continue;
    const items =
      config.type === BREAKING_SECTION
        ? input.commits.filter((c) => c.breaking).flatMap((c) => breakingNotes(c).map((note) => toItem(c, note)))
        : input.commits.filter((c) => c.conventional && c.type === config.type).map((c) => toItem(c, c.subject));
    if (items.length > 0) sections.push({ type: config.type, title: escapeMarkdownText(config.title), items });
  }

  if (opts.listNonConventional) {
    // Merge commits carry no change of their own: the commits they bring in are listed themselves.
    const others = input.commits.filter((c) => !c.merge && (!c.conventional || c.type === null || !known.has(c.type)));
    if (others.length > 0) {
      sections.push({
        type: OTHER_SECTION,
        title: escapeMarkdownText(opts.otherTitle ?? 'Other'),
        // Their header is shown whole: the type is part of what the author wrote and of no known section.
        items: others.map((c) => toItem({ ...c, scope: null }, c.header)),
      });
    }
  }
  return sections;
}

// A commit with several breaking footers gets one bullet per note; `!` alone gives the subject as the note.
function breakingNotes(commit: ParsedCommit): string[] {
  const notes = commit.breakingNotes.filter((n) => n.trim() !== '');
  return notes.length > 0 ? notes : [commit.subject];
}

/**
 * One commit as a list item: `text` (escaped, `#N` linked) after the bold scope, then the PR, commit and issue
 * links. Shared with the CHANGELOG editor so both documents describe a commit the same way.
 */
export function commitNotesItem(commit: ParsedCommit, rawText: string, repoUrl: string | null): NotesItem {
  const parts = bulletParts(commit, rawText, repoUrl);
  const { shortHash, commitUrl, scope, subject, prUrl, refs } = parts;
  return {
    hash: commit.hash,
    shortHash,
    commitUrl,
    scope,
    subject,
    pr: commit.pr,
    prUrl,
    refs,
    text: bulletText(commit, parts, repoUrl),
  };
}

/** The `text` of `commitNotesItem`, without the rest of the item. */
export function commitBulletText(commit: ParsedCommit, rawText: string, repoUrl: string | null): string {
  return bulletText(commit, bulletParts(commit, rawText, repoUrl), repoUrl);
}

interface BulletParts {
  shortHash: string;
  commitUrl: string | null;
  scope: string | null;
  subject: string;
  mentioned: ReadonlySet<number>;
  prUrl: string | null;
  refs: NotesReference[];
}

function bulletParts(commit: ParsedCommit, rawText: string, repoUrl: string | null): BulletParts {
  // Most subjects hold nothing to escape, link or trim (the common case at 100k commits): taken as they are.
  const { subject, mentioned } = PLAIN_TEXT.test(rawText)
    ? { subject: rawText, mentioned: NO_REFERENCES }
    : renderBulletText(rawText, { repoUrl: repoUrl ?? undefined, pr: commit.pr });
  const scope = commit.scope ? (PLAIN_TEXT.test(commit.scope) ? commit.scope : escapeMarkdownText(commit.scope)) : null;
  const shortHash = commit.hash.slice(0, 7);
  const commitUrl = repoUrl ? `${repoUrl}/commit/${commit.hash}` : null;
  const prUrl = repoUrl && commit.pr !== null ? `${repoUrl}/pull/${commit.pr}` : null;
  const refs =
    commit.refs.length === 0
      ? []
      : [...new Set(commit.refs)]
          .filter((n) => n !== commit.pr && !mentioned.has(n))
          .map((n) => ({ number: n, url: repoUrl ? `${repoUrl}/issues/${n}` : null }));
  return { shortHash, commitUrl, scope, subject, mentioned, prUrl, refs };
}

function bulletText(commit: ParsedCommit, parts: BulletParts, repoUrl: string | null): string {
  const { shortHash, commitUrl, scope, subject, mentioned, prUrl, refs } = parts;
  let text = scope ? `**${scope}:** ${subject}` : subject;
  if (commit.pr !== null && !mentioned.has(commit.pr)) text += ` (${link(`#${commit.pr}`, prUrl)})`;
  if (shortHash) text += ` (${link(escapeMarkdownText(shortHash), commitUrl)})`;
  if (refs.length > 0) text += `, closes ${refs.map((r) => link(`#${r.number}`, r.url)).join(', ')}`;
  const reverted = commit.revert?.hash && /^[0-9a-f]{4,40}$/i.test(commit.revert.hash) ? commit.revert.hash : null;
  if (reverted) {
    text += `, reverts ${link(reverted.slice(0, 7), repoUrl ? `${repoUrl}/commit/${reverted}` : null)}`;
  }
  return text;
}

/**
 * Commit text as bullet markdown: `[skip release]` dropped, lines trimmed and blank ones removed, specials
 * escaped, `#N` linked; plus the numbers it mentions, so they are not linked twice.
 */
export function renderBulletText(
  rawText: string,
  linkCtx: InlineLinkContext,
): { subject: string; mentioned: ReadonlySet<number> } {
  // Blank lines are dropped: inside a bullet they would start a new paragraph, and an indented line after
  // one would become a code block.
  // `[skip release]` is an instruction to Cutter, not part of the change: it is not shown.
  const lines = rawText
    .replace(SKIP_MARKER, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  // Continuation lines of a multi-line breaking note are indented so they stay inside the bullet.
  return {
    subject: lines.map((l) => renderInlineText(l, linkCtx)).join('\n  '),
    mentioned: mentionedReferences(rawText),
  };
}

function link(label: string, url: string | null): string {
  return url ? `[${label}](${url})` : label;
}

// Unique authors in order of first appearance; the same e-mail under two spellings counts once.
function contributorsOf(commits: readonly ParsedCommit[]): NotesContributor[] {
  const seen = new Set<string>();
  // The same name and e-mail strings come back commit after commit: known pairs skip the trimming and lowering.
  const seenAs = new Map<string, Set<string | undefined>>();
  const out: NotesContributor[] = [];
  for (const c of commits) {
    if (c.authorName !== undefined) {
      const emails = seenAs.get(c.authorName);
      if (emails?.has(c.authorEmail)) continue;
      if (emails) emails.add(c.authorEmail);
      else seenAs.set(c.authorName, new Set([c.authorEmail]));
    }
    const name = c.authorName?.trim();
    if (!name) continue;
    const key = c.authorEmail ? c.authorEmail.trim().toLowerCase() : `name:${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name: escapeMarkdownText(name), email: c.authorEmail ?? null });
  }
  return out;
}

// Tags may hold `@` and `/` (`pkg@1.2.3`, `release/1.2`), which GitHub compare URLs take as they are;
// anything else unusual (a `)` would end the markdown link) is percent-encoded.
export function tagInUrl(tag: string): string {
  return encodeURIComponent(tag)
    .replace(/%40/g, '@')
    .replace(/%2F/g, '/')
    .replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
