// Step "supply": after the release is published, its SBOM, signed checksums and provenance as assets and with the image.

import { CutterError, isCutterError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { imageForRelease, parseDeploySection } from '../deploy/deploy-config.js';
import { coveredByChecksums, SUPPLY_ASSETS } from '../supply/asset-names.js';
import { keylessSigning } from '../supply/keyless.js';
import { pinImage } from '../supply/pin-image.js';
import { publishSupplyChain } from '../supply/publish-supply.js';
import { downloadAsset, listAssets } from '../supply/release-assets.js';
import { keySigner, loadSigningKey, type SignWith } from '../supply/signing-key.js';
import type { SupplySection } from '../supply/supply-config.js';
import type { JsonObject, Step, StepContext } from '../workflow/types.js';
import { configOf, releaseOf, repoOf, taskData } from './release-context.js';
import type { PublishedSupply } from './release-data.js';
import type { ReleaseDeps } from './release-deps.js';
import { registryFor, releaseSbom, supplySectionOf } from './supply-inputs.js';

/** What the provenance names as the builder of every release Cutter publishes. */
export const CUTTER_BUILDER_ID = 'https://github.com/cutter-release/cutter';

/**
 * Runs when the repository's `supply:` section names a signing key. Waits (parked, not blocking a worker) until the
 * release's image is in the registry, up to `supply.waitForImageSeconds`. Idempotent: assets already on the release
 * with the same bytes are adopted, signatures already there are kept, other bytes under a name fail the task.
 */
export const supplyPublishStep: Step<ReleaseDeps> = {
  name: 'supply',
  when: {
    release: { released: { url: String }, supply: null },
    config: { supply: { signingKey: Object } },
    dryRun: null,
  },
  effect: 'idempotent',
  timeoutMs: 15 * 60_000,
  retry: { maxAttempts: 3 },
  run: publishSupply,
};

/** The same step for `supply.keyless` without a key: Fulcio certifies the CI's OIDC identity, Rekor logs each signature. */
export const supplyKeylessStep: Step<ReleaseDeps> = {
  ...supplyPublishStep,
  name: 'supply-keyless',
  when: {
    release: { released: { url: String }, supply: null },
    config: { supply: { keyless: Object, signingKey: null } },
    dryRun: null,
  },
};

/** A key from the environment or a file, else the keyless setup; the key or token never reaches a log or error. */
async function signingFor(section: SupplySection, env: NodeJS.ProcessEnv): Promise<SignWith> {
  if (section.signingKey) {
    if ('env' in section.signingKey) registerSecret(env[section.signingKey.env]);
    return keySigner(await loadSigningKey(section.signingKey, env));
  }
  if (section.keyless) return keylessSigning(section.keyless, env);
  throw new CutterError('CUTTER_INTERNAL', 'the supply step needs supply.signingKey or supply.keyless');
}

async function publishSupply(ctx: StepContext<ReleaseDeps>) {
  const repo = repoOf(ctx.data);
  const config = configOf(ctx.data);
  const release = releaseOf(ctx.data);
  const source = taskData(ctx.data).config?.source ?? '.cutter.yml';
  const section = supplySectionOf(config.supply, source);
  const tagged = release.tagged;
  if (!tagged || !release.published || !release.next) {
    throw new CutterError('CUTTER_INTERNAL', 'the supply step needs the tag and the published release');
  }
  const gh = ctx.deps.github;
  const registry = registryFor(section, { ...ctx.deps.registryOptions, signal: ctx.signal });
  const deploy = parseDeploySection(config.deploy, source);
  const image = deploy
    ? imageForRelease(deploy.image, { owner: repo.owner, repo: repo.name, version: release.next, tag: tagged.tag })
    : undefined;

  if (image) {
    try {
      await pinImage(registry, image, { timeoutMs: 0 });
    } catch (err) {
      if (!isCutterError(err, 'CUTTER_NOT_FOUND')) throw err;
      const now = ctx.now();
      const since = release.imageWaitingSince ?? now.toISOString();
      if (now.getTime() - Date.parse(since) >= section.waitForImageSeconds * 1000) {
        // The wait clock ends with the give-up: a retry looks for the image again and, still missing, waits afresh.
        return { patch: { release: { imageWaitingSince: null } }, fail: err };
      }
      ctx.log(`image ${image} is not in the registry yet; waiting up to ${section.waitForImageSeconds}s`);
      return {
        patch: { release: { imageWaitingSince: since } },
        wait: { reason: `waiting for image ${image} in the registry`, pollMs: ctx.deps.imagePollMs ?? 5_000 },
      };
    }
  }

  const env = ctx.deps.env ?? process.env;
  const signer = await signingFor(section, env as NodeJS.ProcessEnv);
  const name = taskData(ctx.data).package?.name ?? repo.name;
  const sbom = await releaseSbom(gh, repo, { tag: tagged.tag, sha: tagged.sha, name, version: release.next }, section);
  // What upload-assets attached (and anything else on the release) is covered by the signed checksums too.
  const existing = await listAssets(gh, repo, release.published.id);
  const artifacts = [];
  for (const asset of existing) {
    if (!coveredByChecksums(asset.name) || asset.name === SUPPLY_ASSETS.sbom) continue;
    artifacts.push({ name: asset.name, bytes: await downloadAsset(gh, repo, asset.id) });
  }
  const { data: info } = await gh.rest.repos.get({ owner: repo.owner, repo: repo.name });
  const published = await publishSupplyChain({
    gh,
    repo,
    tag: tagged.tag,
    commit: tagged.sha,
    repositoryUrl: info.html_url,
    builderId: CUTTER_BUILDER_ID,
    ...(image ? { image } : {}),
    registry,
    signer,
    sbom,
    artifacts,
    waitForImageMs: 0,
    log: (line) => ctx.log(line),
  });
  const supply: PublishedSupply = {
    ...(published.image
      ? { image: published.image.requested, pinned: published.image.pinned, digest: published.image.digest }
      : {}),
    assets: published.assets,
  };
  ctx.log(
    `${published.assets.map((a) => `${a.name} ${a.outcome}`).join(', ')}${published.image ? `; signed ${published.image.pinned}` : ''}`,
  );
  return { patch: { release: { supply: supply as unknown as JsonObject, imageWaitingSince: null } } };
}
