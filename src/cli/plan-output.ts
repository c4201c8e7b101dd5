// Presents a release plan to people (text) and to programs (one JSON object), the same facts either way.
import { LazyJsonArray, Utf8JsonString } from './json-chunks.js';
import type { LocalReleasePlan } from './local-release-plan.js';

/** How many causing commits the text output lists before summarising the rest. */
const CAUSES_SHOWN = 10;

/** The plan as one JSON-ready object (no parsed commit bodies; every cause listed). */
export function planToJson(plan: LocalReleasePlan): Record<string, unknown> {
  return {
    repository: { root: plan.root, head: plan.head, branch: plan.branch, url: plan.repoUrl },
    config: plan.configSource,
    channel: plan.channel,
    branchReleases: plan.branchReleases,
    lastTag: plan.lastTag,
    foreignTags: plan.foreignTags,
    commits: plan.commits,
    bump: plan.bump,
    // Made a piece at a time as they are written: a 100k-commit range has tens of thousands.
    causes: new LazyJsonArray(plan.causes.length, (start, end) =>
      plan.causes.slice(start, end).map((c) => ({ hash: c.hash, header: c.header, bump: c.bump, why: c.why })),
    ),
    releaseAs: plan.releaseAs,
    currentVersion: plan.currentVersion,
    nextVersion: plan.nextVersion,
    nextTag: plan.nextTag,
    refused: plan.refused,
    ignoredReleaseAs: plan.ignoredReleaseAs,
    date: plan.date,
    // Written from its UTF-8 when there is one: no 6 MB string for 100k-commit notes.
    notes: plan.notesUtf8 ? new Utf8JsonString(plan.notesUtf8) : plan.notes,
  };
}

/** The plan as the lines a person reads in a terminal. */
export function planToText(plan: LocalReleasePlan): string {
  const lines: string[] = [];
  const head = plan.head.slice(0, 7);
  lines.push(`Repository:    ${plan.root} (${plan.branch ? `branch ${plan.branch}` : 'detached HEAD'} at ${head})`);
  lines.push(`Config:        ${plan.configSource ?? 'defaults (no .cutter.yml)'}`);
  if (!plan.branchReleases) lines.push(`Warning:       branch ${plan.branch} is not a release branch in the config`);
  lines.push(
    plan.lastTag
      ? `Last tag:      ${plan.lastTag.tag} (${plan.lastTag.version} at ${plan.lastTag.commit.slice(0, 7)})`
      : `Last tag:      none matching ${plan.tagFormat} — this is the first release`,
  );
  if (plan.foreignTags.length > 0) {
    const shown = plan.foreignTags.slice(0, 10).map((t) => JSON.stringify(t));
    const more = plan.foreignTags.length > 10 ? ` and ${plan.foreignTags.length - 10} more` : '';
    lines.push(`Foreign tags:  ${shown.join(', ')}${more} (not ${plan.tagFormat}: ignored)`);
  }
  const c = plan.commits;
  const types = Object.entries(c.byType)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([type, n]) => `${type} ${n}`);
  lines.push(`Commits:       ${c.total} since ${plan.lastTag?.tag ?? 'the beginning'}`);
  lines.push(`  by type:     ${types.length > 0 ? types.join(', ') : 'none conventional'}`);
  lines.push(
    `  non-conventional ${c.nonConventional}, skipped ([skip release]) ${c.skipped}, ignored authors ${c.ignoredAuthors}`,
  );
  if (plan.bump === null) {
    lines.push('Bump:          none — no commit since the last tag asks for a release');
  } else {
    lines.push(`Bump:          ${plan.bump}${plan.releaseAs ? ` (Release-As ${plan.releaseAs})` : ''}, caused by:`);
    for (const cause of plan.causes.slice(0, CAUSES_SHOWN)) {
      lines.push(`  ${cause.hash.slice(0, 7)} ${oneLine(cause.header)} — ${cause.why}`);
    }
    if (plan.causes.length > CAUSES_SHOWN)
      lines.push(`  … and ${plan.causes.length - CAUSES_SHOWN} more (--json lists all)`);
  }
  if (plan.refused) lines.push(`Refused:       ${plan.refused}`);
  if (plan.ignoredReleaseAs) lines.push(`Note:          ${plan.ignoredReleaseAs}`);
  lines.push(
    plan.nextVersion
      ? `Next version:  ${plan.nextVersion} (tag ${plan.nextTag}${plan.channel ? `, channel ${plan.channel}` : ''})`
      : 'Next version:  none — nothing to release',
  );
  if (plan.notes) lines.push('', plan.notes.trimEnd());
  return `${lines.join('\n')}\n`;
}

/** Terminal output is one line per commit, whatever the header holds. */
function oneLine(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]+/g, ' ').slice(0, 200);
}
