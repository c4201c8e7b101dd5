// Renders a GitHub-flavoured markdown table, escaping pipes so cell text cannot break the layout.

export type Cell = string | number | null | undefined;

function cell(value: Cell): string {
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) return '—';
  return String(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** `align` per column: 'l' (default) or 'r' for figures. */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  align?: readonly ('l' | 'r')[],
): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const rule = headers.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [
    line(headers.map((h) => cell(h))),
    line(rule),
    ...rows.map((row) => line(headers.map((_, i) => cell(row[i])))),
  ].join('\n');
}
