// Step "verify": the last step of a release that published its supply chain — seed 004's checklist, audited.

import { CutterError } from '../core/errors.js';
import { verifyRelease } from '../supply/verify-release.js';
import type { JsonObject, Step } from '../workflow/types.js';
import { configOf, releaseOf, repoOf, taskData } from './release-context.js';
import type { VerifiedRelease } from './release-data.js';
import type { ReleaseDeps } from './release-deps.js';
import { registryFor, supplySectionOf, trustedKeysFor } from './supply-inputs.js';

/**
 * Runs after notify (the team hears of the release either way). Every run is recorded in the audit log
 * (`release.verify`); a ✖ fails the task naming each failed item. The release stays published; once the cause is
 * fixed, `cutter tasks retry` runs the checklist again.
 */
export const verifyStep: Step<ReleaseDeps> = {
  name: 'verify',
  when: { release: { supply: Object, notified: Array, verified: null }, dryRun: null },
  effect: 'none',
  timeoutMs: 15 * 60_000,
  async run(ctx) {
    const repo = repoOf(ctx.data);
    const release = releaseOf(ctx.data);
    const tagged = release.tagged;
    if (!tagged) throw new CutterError('CUTTER_INTERNAL', 'the verify step needs the tag');
    const section = supplySectionOf(configOf(ctx.data).supply, taskData(ctx.data).config?.source);
    const gh = ctx.deps.github;
    const keys = await trustedKeysFor(gh, repo, tagged.sha, section, ctx.deps.env ?? process.env);
    const image = release.supply?.image;
    const report = await verifyRelease({
      gh,
      repo,
      tag: tagged.tag,
      keys,
      ...(image ? { image, registry: registryFor(section, { ...ctx.deps.registryOptions, signal: ctx.signal }) } : {}),
    });
    const verified: VerifiedRelease = {
      ok: report.ok,
      at: ctx.now().toISOString(),
      checks: report.checks.map((c) => ({ check: c.check, ok: c.ok, detail: c.detail })),
    };
    for (const c of verified.checks) ctx.log(`${c.ok ? '✔' : '✖'} ${c.check}: ${c.detail}`);
    await ctx.deps.audit?.({
      actor: 'cutter (release flow)',
      action: 'release.verify',
      target: `${report.repo}@${tagged.tag}`,
      details: { ok: verified.ok, checks: verified.checks, taskId: ctx.taskId } as unknown as JsonObject,
    });
    if (!report.ok) {
      const failed = verified.checks.filter((c) => !c.ok);
      throw new CutterError(
        'CUTTER_REFUSED',
        `release ${tagged.tag} is NOT verified: ${failed.map((c) => `✖ ${c.check}: ${c.detail}`).join('; ')}`,
        {
          hint: `the release stays published; fix what is ✖, then \`cutter tasks retry ${ctx.taskId}\``,
          details: { checks: verified.checks },
        },
      );
    }
    return { complete: true, patch: { release: { verified: verified as unknown as JsonObject } } };
  },
};
