// The default Eta template for release notes; users may pass their own template string with the same data.

/**
 * Data (`it`): `heading` (the `## …` line), `sections[]` with `title` and `items[]` (each with `text`, the
 * ready markdown of one bullet, plus `scope`, `subject`, `shortHash`, `commitUrl`, `pr`, `prUrl`, `refs[]`),
 * `contributors[]` (`name`), `version`, `tag`, `previousTag`, `date`, `repoUrl`, `compareUrl`.
 * Every text field is already escaped for markdown; Eta's own XML escaping is off so it is not escaped twice.
 * Rendered with Eta's autoTrim off: `-%>` drops the newline after a control tag, so blank lines are exactly as written.
 */
export const DEFAULT_NOTES_TEMPLATE = `<%= it.heading %>
<% for (const section of it.sections) { -%>

### <%= section.title %>

<% for (const item of section.items) { -%>
- <%= item.text %>
<% } -%>
<% } -%>
<% if (it.contributors.length > 0) { -%>

### Contributors

<% for (const c of it.contributors) { -%>
- <%= c.name %>
<% } -%>
<% } -%>
`;
