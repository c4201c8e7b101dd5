// Writes the markdown of the default notes template directly, for ranges too long to render through a view.

/**
 * Exactly what `DEFAULT_NOTES_TEMPLATE` renders for a view with this heading, these sections (bullet texts) and
 * these contributor names: the heading line, then per section a blank line, `### title`, a blank line and one
 * `- ` bullet per item, then the contributors the same way. A test keeps the two in step.
 */
export function defaultNotesMarkdown(
  heading: string,
  sections: readonly { title: string; items: readonly string[] }[],
  contributors: readonly string[],
): string {
  const parts: string[] = [heading, '\n'];
  for (const section of sections) {
    parts.push('\n### ', section.title, '\n\n');
    for (const item of section.items) parts.push('- ', item, '\n');
  }
  if (contributors.length > 0) {
    parts.push('\n### Contributors\n\n');
    for (const name of contributors) parts.push('- ', name, '\n');
  }
  return parts.join('');
}
