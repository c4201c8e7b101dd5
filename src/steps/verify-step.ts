// Step "verify": the last step of a release that published its supply chain — seed 004's checklist, audited.

import { CutterError } from '../core/errors.js';
import { imageForRelease, parseDeploySection } from '../deploy/deploy-config.js';
import { SUPPLY_ASSETS } from '../supply/asset-names.js';
import { listAssets } from '../supply/release-assets.js';
import { waitForSignaturesSeconds } from '../supply/supply-config.js';
import { verifyRelease } from '../supply/verify-release.js';
import { matchesShape } from '../workflow/shape.js';
import type { JsonObject, Step, StepContext, StepOutcome } from '../workflow/types.js';
import { configOf, releaseOf, repoOf, taskData } from './release-context.js';
import type { VerifiedRelease } from './release-data.js';
import type { ReleaseDeps } from './release-deps.js';
import { registryFor, supplySectionOf, trustedKeysFor } from './supply-inputs.js';

/** A repository whose releases are signed elsewhere (its CI, cosign): trusted keys, but no key or keyless setup here. */
const SIGNED_ELSEWHERE = { supply: { publicKeys: Array, signingKey: null, keyless: null } } as const;

/** Whether the release flow ends with a verify step (then notify does not complete the task). */
export function releaseEndsWithVerify(data: Readonly<JsonObject>): boolean {
  return Boolean(releaseOf(data).supply) || matchesShape(configOf(data), SIGNED_ELSEWHERE);
}

/** What a release signed elsewhere must carry before there is anything to verify. */
const SIGNED_ASSETS = [SUPPLY_ASSETS.checksums, SUPPLY_ASSETS.checksumsBundle, SUPPLY_ASSETS.provenance];

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
  run: (ctx) => verify(ctx),
};

/**
 * The same checklist for releases signed elsewhere (`supply.publicKeys` only): their pipeline attaches the checksums,
 * signatures and provenance after Cutter published the release, so the step waits (parked) for them up to
 * `supply.waitForSignaturesSeconds` (default `waitForImageSeconds`), then verifies; what is still missing is a ✖.
 * The image is the one `deploy.image` names for this version.
 */
export const verifySignedElsewhereStep: Step<ReleaseDeps> = {
  ...verifyStep,
  name: 'verify-signed-elsewhere',
  when: { release: { supply: null, notified: Array, verified: null }, config: SIGNED_ELSEWHERE, dryRun: null },
  async run(ctx) {
    const repo = repoOf(ctx.data);
    const release = releaseOf(ctx.data);
    const source = taskData(ctx.data).config?.source ?? '.cutter.yml';
    const section = supplySectionOf(configOf(ctx.data).supply, source);
    if (release.published) {
      const names = new Set((await listAssets(ctx.deps.github, repo, release.published.id)).map((a) => a.name));
      const missing = SIGNED_ASSETS.filter((n) => !names.has(n));
      const now = ctx.now();
      const since = release.signaturesWaitingSince ?? now.toISOString();
      const waitSeconds = waitForSignaturesSeconds(section);
      if (missing.length > 0 && now.getTime() - Date.parse(since) < waitSeconds * 1000) {
        ctx.log(`the release has no ${missing.join(', ')} yet; waiting up to ${waitSeconds}s`);
        return {
          patch: { release: { signaturesWaitingSince: since } },
          wait: {
            reason: `waiting for ${missing.join(', ')} on release ${release.tagged?.tag}`,
            pollMs: ctx.deps.imagePollMs ?? 5_000,
          },
        };
      }
    }
    const deploy = parseDeploySection(configOf(ctx.data).deploy, source);
    const tagged = release.tagged;
    const image =
      deploy && tagged && release.next
        ? imageForRelease(deploy.image, { owner: repo.owner, repo: repo.name, version: release.next, tag: tagged.tag })
        : undefined;
    return verify(ctx, image);
  },
};

/** The checklist, audited; `image` defaults to the one the supply step signed. */
async function verify(ctx: StepContext<ReleaseDeps>, signedElsewhereImage?: string): Promise<StepOutcome> {
  const repo = repoOf(ctx.data);
  const release = releaseOf(ctx.data);
  const tagged = release.tagged;
  if (!tagged) throw new CutterError('CUTTER_INTERNAL', 'the verify step needs the tag');
  const section = supplySectionOf(configOf(ctx.data).supply, taskData(ctx.data).config?.source);
  const gh = ctx.deps.github;
  const keys = await trustedKeysFor(gh, repo, tagged.sha, section, ctx.deps.env ?? process.env);
  const image = release.supply ? release.supply.image : signedElsewhereImage;
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
    // The wait for signatures ends with the verdict: a retry waits for signatures made elsewhere afresh.
    return {
      patch: { release: { signaturesWaitingSince: null } },
      fail: new CutterError(
        'CUTTER_REFUSED',
        `release ${tagged.tag} is NOT verified: ${failed.map((c) => `✖ ${c.check}: ${c.detail}`).join('; ')}`,
        {
          hint: `the release stays published; fix what is ✖, then \`cutter tasks retry ${ctx.taskId}\``,
          details: { checks: verified.checks },
        },
      ),
    };
  }
  return {
    complete: true,
    patch: { release: { verified: verified as unknown as JsonObject, signaturesWaitingSince: null } },
  };
}
