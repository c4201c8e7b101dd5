// Writes the markdown of the default notes template directly, for ranges too long to render through a view.
import { Buffer } from 'node:buffer';
import { isWellFormed } from './packed.js';

/** The bullet lines of one section (`- text` and a line feed each), as text or, when exact, as UTF-8. */
export interface BulletLines {
  text(): string;
  /** Null when UTF-8 cannot carry the lines exactly. */
  utf8(): readonly Uint8Array[] | null;
}

/**
 * Exactly what `DEFAULT_NOTES_TEMPLATE` renders for a view with this heading, these sections and these contributor
 * names: the heading line, then per section a blank line, `### title`, a blank line and its bullet lines, then the
 * contributors the same way. A test keeps the two in step.
 */
export function defaultNotesMarkdown(
  heading: string,
  sections: readonly { title: string; bullets: BulletLines }[],
  contributors: readonly string[],
): string {
  const parts = notesParts(heading, sections, contributors);
  const bytes = utf8Of(parts);
  return bytes === null ? parts.map((p) => (typeof p === 'string' ? p : p.text())).join('') : bytes.toString('utf8');
}

/**
 * `defaultNotesMarkdown` as UTF-8, written from the bullets' bytes without a string for the whole (100k-commit
 * notes are 3 MB as UTF-8, 6 MB as a string once one emoji makes it two bytes a character); null when UTF-8
 * cannot carry the text exactly (a lone surrogate).
 */
export function defaultNotesUtf8(
  heading: string,
  sections: readonly { title: string; bullets: BulletLines }[],
  contributors: readonly string[],
): Buffer | null {
  return utf8Of(notesParts(heading, sections, contributors));
}

function notesParts(
  heading: string,
  sections: readonly { title: string; bullets: BulletLines }[],
  contributors: readonly string[],
): (string | BulletLines)[] {
  const parts: (string | BulletLines)[] = [heading, '\n'];
  for (const section of sections) parts.push('\n### ', section.title, '\n\n', section.bullets);
  if (contributors.length > 0) {
    parts.push('\n### Contributors\n\n');
    for (const name of contributors) parts.push('- ', name, '\n');
  }
  return parts;
}

function utf8Of(parts: readonly (string | BulletLines)[]): Buffer | null {
  const bytes: Uint8Array[] = [];
  for (const part of parts) {
    const utf8 = typeof part === 'string' ? (isWellFormed(part) ? [Buffer.from(part, 'utf8')] : null) : part.utf8();
    if (utf8 === null) return null;
    bytes.push(...utf8);
  }
  return Buffer.concat(bytes);
}
