// Renders the markdown release notes of one version from parsed commits, through an Eta template.
import { Eta } from 'eta';
import semver from 'semver';
import { type BulletLines as BulletText, defaultNotesMarkdown, defaultNotesUtf8 } from './default-notes.js';
import { CutterError } from './errors.js';
import {
  checkRepoUrl,
  escapeMarkdownText,
  type InlineLinkContext,
  mentionedReferences,
  renderInlineText,
} from './notes-escape.js';
import { StringPool } from './packed.js';
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
  const fold = new NotesFold({ ...opts, ...(input.repoUrl !== undefined ? { repoUrl: input.repoUrl } : {}) });
  for (const commit of input.commits) fold.add(commit);
  return fold.render(input);
}

/** What a version's notes need besides the commits: known only once the range has been read. */
export type NotesFrameInput = Pick<NotesInput, 'version' | 'tag' | 'previousTag' | 'date'>;

/**
 * `renderNotes` one commit at a time, so a long range need not be held: `add` each commit in range order, then
 * `render` once the version is known. What is kept is what the notes show: with the default template the text of
 * each bullet, with a custom one each item of the view.
 */
export class NotesFold {
  private readonly template: string | undefined;
  private readonly repoUrl: string | undefined;
  private readonly sections: SectionsFold<string, BulletLines> | SectionsFold<NotesItem, NotesItem[]> | null;

  constructor(opts: NotesOptions & { repoUrl?: string } = {}) {
    this.template = opts.template;
    this.repoUrl = opts.repoUrl;
    let repoUrl: string | null;
    try {
      repoUrl = checkRepoUrl(opts.repoUrl) ?? null;
    } catch {
      // `render` reports the bad URL where `renderNotes` would (after the version and the date): nothing to keep.
      this.sections = null;
      return;
    }
    // The default template written directly: the same markdown without a view object per bullet (100k commits).
    this.sections =
      opts.template === undefined
        ? new SectionsFold(
            opts,
            (commit, rawText) => commitBulletText(commit, rawText, repoUrl),
            () => new BulletLines(),
          )
        : new SectionsFold(opts, (commit, rawText) => commitNotesItem(commit, rawText, repoUrl), itemArray);
  }

  add(commit: ParsedCommit): void {
    this.sections?.add(commit);
  }

  /**
   * What `render` gives, as UTF-8 written straight from the bullets' bytes, for the default template; null with a
   * custom template, or when UTF-8 cannot carry the text exactly (then `render` it).
   */
  renderUtf8(frameInput: NotesFrameInput): Uint8Array | null {
    const frame = notesFrame({ ...frameInput, ...(this.repoUrl !== undefined ? { repoUrl: this.repoUrl } : {}) });
    return this.template === undefined ? defaultNotesUtf8(...this.defaultParts(frame)) : null;
  }

  private defaultParts(frame: NotesFrame): Parameters<typeof defaultNotesMarkdown> {
    const sections = this.sections as SectionsFold<string, BulletLines>; // notesFrame threw if the URL was unusable
    return [
      frame.heading,
      sections.sections().map((s) => ({ title: s.title, bullets: s.items })),
      sections.contributors().map((c) => c.name),
    ];
  }

  render(frameInput: NotesFrameInput): string {
    const frame = notesFrame({ ...frameInput, ...(this.repoUrl !== undefined ? { repoUrl: this.repoUrl } : {}) });
    const sections = this.sections!; // notesFrame threw if the URL was unusable
    if (this.template === undefined) return defaultNotesMarkdown(...this.defaultParts(frame));
    const view = notesView(frameInput, frame, sections as SectionsFold<NotesItem, NotesItem[]>);
    try {
      return eta.renderString(this.template, view);
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new CutterError('CUTTER_BAD_INPUT', `the release notes template failed: ${reason}`, {
        hint: 'check the Eta syntax (<% code %>, <%= value %>) and the field names described in notes-template.ts',
        cause: err,
      });
    }
  }
}

/** The data behind the notes: sections in table order, commits in input order inside each section. */
export function buildNotesView(input: NotesInput, opts: NotesOptions = {}): NotesView {
  const frame = notesFrame(input);
  const sections = new SectionsFold(
    opts,
    (commit, rawText) => commitNotesItem(commit, rawText, frame.repoUrl),
    itemArray,
  );
  for (const commit of input.commits) sections.add(commit);
  return notesView(input, frame, sections);
}

function notesView(
  input: NotesFrameInput,
  frame: NotesFrame,
  sections: SectionsFold<NotesItem, NotesItem[]>,
): NotesView {
  return {
    version: input.version,
    tag: input.tag,
    previousTag: input.previousTag,
    date: input.date,
    repoUrl: frame.repoUrl,
    compareUrl: frame.compareUrl,
    heading: frame.heading,
    sections: sections.sections(),
    contributors: sections.contributors(),
  };
}

interface NotesFrame {
  repoUrl: string | null;
  compareUrl: string | null;
  heading: string;
}

/** Checks the version and date, and gives the links and the `## …` heading every rendering shares. */
function notesFrame(input: NotesFrameInput & { repoUrl?: string }): NotesFrame {
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

/**
 * The shown sections in table order, each commit made an item by `toItem` (with the text its bullet shows), and
 * the contributors, built commit by commit.
 */
class SectionsFold<T, L extends ItemList<T>> {
  /** The shown table rows, each with its items so far. */
  private readonly shown: { type: string; title: string; items: L }[];
  private readonly breaking: { items: L }[];
  private readonly byType = new Map<string, { items: L }[]>();
  private readonly known: Set<string>;
  private readonly others: { title: string; items: L } | null;
  private readonly authors: ContributorsFold | null;

  constructor(
    opts: NotesOptions,
    private readonly toItem: (commit: ParsedCommit, rawText: string) => T,
    newList: () => L,
  ) {
    const table = opts.sections ?? DEFAULT_NOTES_SECTIONS;
    this.known = new Set(table.map((s) => s.type));
    this.shown = table.filter((s) => !s.hidden).map((s) => ({ type: s.type, title: s.title, items: newList() }));
    this.breaking = this.shown.filter((s) => s.type === BREAKING_SECTION);
    for (const s of this.shown) if (s.type !== BREAKING_SECTION) push(this.byType, s.type, s);
    this.others = opts.listNonConventional ? { title: opts.otherTitle ?? 'Other', items: newList() } : null;
    this.authors = opts.contributors === false ? null : new ContributorsFold();
  }

  add(c: ParsedCommit): void {
    if (c.breaking && this.breaking.length > 0) {
      const notes = breakingNotes(c);
      for (const section of this.breaking) for (const note of notes) section.items.push(this.toItem(c, note));
    }
    if (c.conventional && c.type !== null) {
      const sections = this.byType.get(c.type);
      if (sections) for (const section of sections) section.items.push(this.toItem(c, c.subject));
    }
    // Merge commits carry no change of their own: the commits they bring in are listed themselves.
    if (this.others && !c.merge && (!c.conventional || c.type === null || !this.known.has(c.type))) {
      // Their header is shown whole: the type is part of what the author wrote and of no known section.
      this.others.items.push(this.toItem({ ...c, scope: null }, c.header));
    }
    this.authors?.add(c);
  }

  sections(): { type: string; title: string; items: L }[] {
    const out = this.shown
      .filter((s) => s.items.length > 0)
      .map((s) => ({ type: s.type, title: escapeMarkdownText(s.title), items: s.items }));
    if (this.others && this.others.items.length > 0) {
      out.push({ type: OTHER_SECTION, title: escapeMarkdownText(this.others.title), items: this.others.items });
    }
    return out;
  }

  contributors(): NotesContributor[] {
    return this.authors?.list ?? [];
  }
}

/** The items of one section as they come. */
interface ItemList<T> {
  readonly length: number;
  push(item: T): void;
}

const itemArray = (): NotesItem[] => [];

/** Bullet texts as the markdown lines of a section, packed: 100k bullets are one buffer, not 100k strings. */
class BulletLines implements ItemList<string>, BulletText {
  private readonly lines = new StringPool();

  get length(): number {
    return this.lines.length;
  }

  push(text: string): void {
    this.lines.add(`- ${text}\n`);
  }

  /** Every line, in order. */
  text(): string {
    return this.lines.joined();
  }

  utf8(): readonly Uint8Array[] | null {
    return this.lines.utf8();
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
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
  // Filled by a loop, so the list is of one kind, empty or not: a `[]` beside a mapped array made each bullet's
  // optimised code meet an array of a kind it had not seen, and be thrown away.
  const refs: NotesReference[] = [];
  if (commit.refs.length > 0) {
    for (const n of new Set(commit.refs)) {
      if (n !== commit.pr && !mentioned.has(n))
        refs.push({ number: n, url: repoUrl ? `${repoUrl}/issues/${n}` : null });
    }
  }
  return { shortHash, commitUrl, scope, subject, mentioned, prUrl, refs };
}

function bulletText(commit: ParsedCommit, parts: BulletParts, repoUrl: string | null): string {
  const { shortHash, commitUrl, scope, subject, mentioned, prUrl, refs } = parts;
  let text = scope ? `**${scope}:** ${subject}` : subject;
  if (commit.pr !== null && !mentioned.has(commit.pr)) text += ` (${link(`#${commit.pr}`, prUrl)})`;
  if (shortHash) text += ` (${link(escapeMarkdownText(shortHash), commitUrl)})`;
  if (refs.length > 0) {
    let closes = '';
    for (let i = 0; i < refs.length; i++)
      closes += `${i === 0 ? '' : ', '}${link(`#${refs[i]!.number}`, refs[i]!.url)}`;
    text += `, closes ${closes}`;
  }
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
  // One loop rather than a chain of map and filter, whose arrays of changing kinds threw its optimised code away.
  const lines: string[] = [];
  for (const line of rawText.replace(SKIP_MARKER, '').split(/\r?\n/)) {
    const trimmed = line.trim();
    // Continuation lines of a multi-line breaking note are indented (joined below) so they stay inside the bullet.
    if (trimmed !== '') lines.push(renderInlineText(trimmed, linkCtx));
  }
  return { subject: lines.join('\n  '), mentioned: mentionedReferences(rawText) };
}

function link(label: string, url: string | null): string {
  return url ? `[${label}](${url})` : label;
}

// Unique authors in order of first appearance; the same e-mail under two spellings counts once.
class ContributorsFold {
  readonly list: NotesContributor[] = [];
  private readonly seen = new Set<string>();
  // The same name and e-mail strings come back commit after commit: known pairs skip the trimming and lowering.
  private readonly seenAs = new Map<string, Set<string | undefined>>();

  add(c: ParsedCommit): void {
    if (c.authorName !== undefined) {
      const emails = this.seenAs.get(c.authorName);
      if (emails?.has(c.authorEmail)) return;
      if (emails) emails.add(c.authorEmail);
      else this.seenAs.set(c.authorName, new Set([c.authorEmail]));
    }
    const name = c.authorName?.trim();
    if (!name) return;
    const key = c.authorEmail ? c.authorEmail.trim().toLowerCase() : `name:${name}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ name: escapeMarkdownText(name), email: c.authorEmail ?? null });
  }
}

// Tags may hold `@` and `/` (`pkg@1.2.3`, `release/1.2`), which GitHub compare URLs take as they are;
// anything else unusual (a `)` would end the markdown link) is percent-encoded.
export function tagInUrl(tag: string): string {
  return encodeURIComponent(tag)
    .replace(/%40/g, '@')
    .replace(/%2F/g, '/')
    .replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
