// Safe markdown from commit text: neutralises markdown/HTML-breaking characters, links `#N`, vets repository URLs.
import { CutterError } from './errors.js';

/** Where `#N` references point; links are omitted when there is no repository URL. */
export interface InlineLinkContext {
  repoUrl?: string | undefined;
  /** The commit's pull request: `#N` equal to it links to `/pull/N`, other numbers to `/issues/N`. */
  pr?: number | null | undefined;
}

// Single-backtick code spans on one line: markdown renders their content literally, so it is left as written.
// Not when they hold `<`, `>`, `[` or `]`: renderers disagree on where a span ends (marked, for one, reads
// ``~`<script>` `` as raw HTML), so such text is escaped like any other and shows its backticks.
const CODE_SPAN = /`[^`\n]+`/g;
const UNSAFE_IN_CODE_SPAN = /[<>[\]]/;
// `\` first so the escapes we add are not themselves re-escaped; `[`/`]` stop `](…)` link injection,
// `<`/`>` stop raw HTML (`<script>`, `<img onerror>`), a stray backtick would open a code span to the end.
const SPECIAL = /[\\[\]<>`]/g;
const SPECIAL_REPLACEMENT: Record<string, string> = {
  '\\': '\\\\',
  '[': '\\[',
  ']': '\\]',
  '<': '&lt;',
  '>': '&gt;',
  '`': '\\`',
};
// `#12` after a start, space or opening punctuation; not `&#12` (an HTML character reference) nor `abc#12`.
const REFERENCE = /(^|[\s(,;:])#(\d+)\b/g;

// `@user`, `@org/team` as GitHub reads a mention (not `ada@example.com`). Shown as code, which GitHub never turns
// into a notification: a release must not ping everyone whose handle a commit subject happens to name.
// One code span takes a whole run such as `@a@b` or `@a-@b`, or the `@b` after it would start a mention of its own.
const MENTION = /(?<![A-Za-z0-9])@[A-Za-z0-9](?:[\w@./-]*\w)?/g;

// At the start of a bullet's text these would open a nested list, a heading, a quote or a table row.
const BLOCK_START = /^([-+*#>=|~]|\d{1,9}[.)])/;

// What escaping could change: a special, a backtick (code spans), an `@` (mentions) or a block start. Text without
// any (a short hash, most scopes and names) is its own escape, told without splitting it into code spans.
const MAY_ESCAPE = /[\\[\]<>`@]|^(?:[-+*#>=|~]|\d{1,9}[.)])/;

/** Escape plain text so it cannot break out of a list item, inject a link or HTML, or mention anyone. No links. */
export function escapeMarkdownText(text: string): string {
  if (!MAY_ESCAPE.test(text)) return text;
  return neutraliseBlockStart(mapOutsideCodeSpans(text, escapePlain));
}

/** Markdown specials escaped, then mentions made code (their characters hold no special to escape). */
function escapePlain(plain: string): string {
  const escaped = plain.replace(SPECIAL, (ch) => SPECIAL_REPLACEMENT[ch] ?? ch);
  return escaped.includes('@') ? escaped.replace(MENTION, '`$&`') : escaped;
}

/** Escape commit text and turn `#N` references into pull request / issue links. */
export function renderInlineText(text: string, ctx: InlineLinkContext = {}): string {
  return neutraliseBlockStart(
    mapOutsideCodeSpans(text, (plain) => {
      const escaped = escapePlain(plain);
      if (!ctx.repoUrl) return escaped;
      const repoUrl = ctx.repoUrl;
      return escaped.replace(REFERENCE, (_m, lead: string, num: string) => {
        const kind = ctx.pr !== null && ctx.pr !== undefined && Number(num) === ctx.pr ? 'pull' : 'issues';
        return `${lead}[#${num}](${repoUrl}/${kind}/${num})`;
      });
    }),
  );
}

function neutraliseBlockStart(text: string): string {
  const m = BLOCK_START.exec(text);
  if (!m?.[1]) return text;
  // `1.` → `1\.`, `-` → `\-`: markdown shows the same characters, without the block meaning.
  const marker = m[1];
  return /^\d/.test(marker) ? `${marker.slice(0, -1)}\\${text.slice(marker.length - 1)}` : `\\${text}`;
}

/** The `#N` numbers a text mentions outside code spans, so callers do not link the same reference twice. */
export function mentionedReferences(text: string): Set<number> {
  const found = new Set<number>();
  mapOutsideCodeSpans(text, (plain) => {
    for (const m of plain.matchAll(REFERENCE)) found.add(Number(m[2]));
    return plain;
  });
  return found;
}

function mapOutsideCodeSpans(text: string, fn: (plain: string) => string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(CODE_SPAN)) {
    // Both backticks go with the span either way, so the pairing stays the one markdown sees.
    out += fn(text.slice(last, m.index)) + (UNSAFE_IN_CODE_SPAN.test(m[0]) ? fn(m[0]) : m[0]);
    last = m.index + m[0].length;
  }
  return out + fn(text.slice(last));
}

/**
 * The repository URL without a trailing slash. Only http(s) URLs are accepted: the value ends up in every link
 * of the notes, and a `javascript:` URL there would be an injection.
 */
export function checkRepoUrl(repoUrl: string | undefined): string | undefined {
  if (repoUrl === undefined || repoUrl === '') return undefined;
  let url: URL;
  try {
    url = new URL(repoUrl);
  } catch {
    throw new CutterError('CUTTER_BAD_INPUT', `repository URL ${JSON.stringify(repoUrl)} is not a URL`, {
      hint: 'use the web address of the repository, e.g. https://github.com/acme/connector-x',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CutterError('CUTTER_BAD_INPUT', `repository URL must be http(s), got ${url.protocol}`, {
      hint: 'use the web address of the repository, e.g. https://github.com/acme/connector-x',
    });
  }
  if (/[\s<>()[\]]/.test(repoUrl)) {
    throw new CutterError('CUTTER_BAD_INPUT', 'repository URL contains spaces, brackets or angle brackets', {
      hint: 'use the plain web address of the repository, e.g. https://github.com/acme/connector-x',
    });
  }
  return repoUrl.replace(/\/+$/, '');
}
