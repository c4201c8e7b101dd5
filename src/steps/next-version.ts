// Step "next-version": commits since the latest tag → bump (core rules) → next version, tag name and notes; or skip.

import { ignoredAuthorFilter } from '../config/author-filter.js';
import { matchBranch } from '../config/branch-channel.js';
import { decideBump } from '../core/bump.js';
import { mergeBumpRules } from '../core/bump-rules.js';
import { parseCommit } from '../core/commit-parse.js';
import { countByKey } from '../core/count-by-key.js';
import { CutterError } from '../core/errors.js';
import { firstCommitAt } from '../core/first-commit.js';
import { repoWebUrl } from '../core/github-web-url.js';
import { nextVersionChecked } from '../core/next-version.js';
import { renderNotes } from '../core/notes.js';
import { commitsForPackage } from '../core/package-paths.js';
import { formatTag } from '../core/tag-format.js';
import type { BumpReason } from '../core/types.js';
import { withCommitFiles } from '../github/commit-files.js';
import { listCommitsSince, readRepoFile } from '../github/repo-api.js';
import type { Step } from '../workflow/types.js';
import { configOf, headOf, releaseOf, repoOf, taskData } from './release-context.js';
import type { ReleaseDeps } from './release-deps.js';

/** Per-commit reasons kept in the task log: enough to explain, bounded so a huge range stays small. */
const REASONS_KEPT = 200;

const line = (r: BumpReason) =>
  `${r.hash.slice(0, 7)} ${r.header.replace(/[\x00-\x1f\x7f]+/g, ' ').slice(0, 120)} — ${r.why}`;

export const nextVersionStep: Step<ReleaseDeps> = {
  name: 'next-version',
  when: { release: { latest: Object, next: null } },
  effect: 'none',
  async run(ctx) {
    const gh = ctx.deps.github;
    const repo = repoOf(ctx.data);
    const config = configOf(ctx.data);
    const release = releaseOf(ctx.data);
    const head = headOf(ctx.data);
    // `null` deletes a key in a step patch, so a first release's latest arrives as `{ first: true }`.
    const latest = {
      tag: release.latest?.tag ?? null,
      version: release.latest?.version ?? null,
      commit: release.latest?.commit ?? null,
    };
    if (latest.tag && !latest.commit) {
      throw new CutterError('CUTTER_BAD_INPUT', `release.latest ${latest.tag} has no commit`, {
        hint: 'give release.latest as { tag, version, commit } (commit: the sha the tag points at)',
      });
    }
    const since = latest.tag ?? 'the beginning';
    if (latest.commit === head) {
      return { complete: true, patch: { skipped: { reason: `no commits since ${since}` } } };
    }
    const pkg = taskData(ctx.data).package;
    const all = await listCommitsSince(gh, repo, latest.commit, head);
    // A package counts only the commits that touched its path: the others are not part of its release.
    const raws = pkg ? commitsForPackage(await withCommitFiles(gh, repo, all), pkg) : all;
    if (pkg) ctx.log(`${raws.length} of ${all.length} commits touch ${pkg.name} (${pkg.path})`);
    const ignored = ignoredAuthorFilter(config.ignoreAuthors);
    const counted = raws.filter((c) => !ignored(c.authorName, c.authorEmail));
    const commits = counted.map(parseCommit);
    const rules = mergeBumpRules(config.bump);
    const decision = decideBump(commits, rules, latest.version);
    const channel = release.channel ?? null;
    const range = release.branch ? matchBranch(config.branches, release.branch).branch?.range : undefined;
    const next = nextVersionChecked(latest.version, decision, {
      firstRelease: config.firstRelease,
      channel: { prerelease: channel, ...(range !== undefined ? { range } : {}) },
    });
    const reasons = decision.reasons.slice(0, REASONS_KEPT).map(line);
    const byType: Record<string, number> = {};
    for (const c of commits) if (c.type !== null) countByKey(byType, c.type);
    const summary = {
      total: raws.length,
      byType,
      nonConventional: decision.nonConventional.length,
      skipped: decision.skipped.length,
      ignoredAuthors: raws.length - counted.length,
    };
    const ignoredCount = raws.length - counted.length;
    ctx.log(
      `${raws.length} commits since ${since}${ignoredCount ? ` (${ignoredCount} by ignored authors)` : ''}: bump ${decision.bump ?? 'none'}`,
    );
    if (next.version === null) {
      const reason =
        next.refused ??
        (raws.length === 0
          ? `no commits since ${since}`
          : `no releasable commits since ${since} (${raws.length} commits, none asks for a release)`);
      return { complete: true, patch: { skipped: { reason, details: reasons } } };
    }
    const tag = formatTag(config.tagFormat, {
      version: next.version,
      ...(config.package ? { package: config.package } : {}),
    });
    const template = config.notes.template ? await readRepoFile(gh, repo, config.notes.template, head) : null;
    if (config.notes.template && template === null) {
      throw new CutterError(
        'CUTTER_CONFIG_INVALID',
        `notes.template: ${config.notes.template} does not exist at ${head.slice(0, 7)}`,
        {
          hint: 'point notes.template at an Eta template file in the repository',
        },
      );
    }
    const notes = renderNotes(
      {
        version: next.version,
        tag,
        previousTag: latest.tag,
        date: ctx.now().toISOString().slice(0, 10),
        commits,
        // Links go to the GitHub the client talks to: github.com, a GHES host, or the sandbox.
        repoUrl: repoWebUrl(gh.request.endpoint.DEFAULTS.baseUrl, repo),
      },
      {
        contributors: config.notes.contributors,
        ...(config.notes.sections ? { sections: config.notes.sections } : {}),
        ...(template !== null ? { template } : {}),
      },
    );
    ctx.log(`next version ${next.version} (tag ${tag})`);
    const startedAt = firstCommitAt(counted);
    return {
      patch: {
        release: {
          next: next.version,
          nextTag: tag,
          bump: decision.bump,
          causes: decision.causes
            .slice(0, REASONS_KEPT)
            .map((c) => ({ hash: c.hash, header: c.header, bump: c.bump, why: c.why })),
          commitCount: raws.length,
          commits: summary,
          // Where lead time starts for the metrics (release-metrics.ts), instead of the trigger.
          ...(startedAt !== null ? { firstCommitAt: startedAt } : {}),
          releaseAs: decision.releaseAs,
          ...(next.ignoredReleaseAs ? { ignoredReleaseAs: next.ignoredReleaseAs } : {}),
          notes,
          draft: config.release.draft,
          prerelease: config.release.prerelease || channel !== null,
          // Only a stable release of the main line becomes the repository's latest; maintenance and prereleases never do.
          makeLatest: channel === null && range === undefined && !config.release.prerelease,
        },
      },
    };
  },
};
