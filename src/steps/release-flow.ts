// The single-repository release flow as one table: each step runs when the task's data has its shape (seed 001).

import { releasePrMergedStep } from '../release-pr/merged-step.js';
import { releasePrUpdateStep } from '../release-pr/pr-mode-step.js';
import { defineFlow } from '../workflow/flow.js';
import type { Step } from '../workflow/types.js';
import { checksGateStep } from './checks-gate.js';
import { classifyStep } from './classify.js';
import { confirmStep } from './confirm.js';
import { createReleaseStep } from './create-release.js';
import { dryRunStopStep } from './dry-run-stop.js';
import { freezeGateStep } from './freeze-gate.js';
import { latestTagStep } from './latest-tag.js';
import { loadConfigStep } from './load-config.js';
import { nextVersionStep } from './next-version.js';
import { notifyStep } from './notify.js';
import { packageFanOutStep } from './package-fan-out.js';
import type { ReleaseDeps } from './release-deps.js';
import { supplyKeylessStep, supplyPublishStep } from './supply-publish.js';
import { tagStep } from './tag.js';
import { uploadAssetsStep } from './upload-assets.js';
import { verifySignedElsewhereStep, verifyStep } from './verify-step.js';

export type { LatestRelease, PushFacts, ReleaseState, ReleaseTaskData, RepoRef } from './release-data.js';
export { RELEASE_TASK_KIND, releaseTaskKey } from './release-data.js';
export type { ReleaseDeps } from './release-deps.js';

/**
 * Table order decides when two shapes match: a webhook task (`push`) is classified first; CLI and fleet tasks
 * start with `release: {}` (fleet children may bring `release.latest`) and load their config first.
 *
 *   classify        push: Object, release: null                      → release: { head, branch } | skipped
 *   release-pr-merged releasePr: { mergeSha: String }, release: null   → config, release: { head, next, nextTag, notes }
 *                                                                    | skipped (branch names no version)
 *   load-config     release: Object, config: null                    → config, release.head
 *   package-fan-out config: { packages: Array }, package: null, release: { latest: null, next: null }
 *                                                                    → one release task per package (with `package`), done
 *   latest-tag      release: { latest: null }                        → release.latest
 *   next-version    release: { latest: Object, next: null }          → release.next, nextTag, causes, notes | skipped
 *   dry-run-stop    dryRun: true, release: { next: String, tagged: null } → done (nothing written)
 *   release-pr-update config: { release: { mode: 'pr' } }, releasePr: null, release: { next: String, tagged: null }
 *                                                                    → release.pr, done (merging the PR releases)
 *   checks-gate     release: { next: String, checksCleared: null, tagged: null } → release.checksCleared | waits | fails
 *   freeze-gate     release: { next: String, checksCleared: Object, freezeCleared: null, tagged: null }
 *                                                                    → release.freezeCleared | waits while frozen
 *   tag             release: { next: String, tagged: null }          → release.tagged
 *   create-release  release: { tagged: { ref: String }, published: null } → release.published
 *   upload-assets   config: { release: { artifacts: { files: Array } } }, release: { published: { id: Number },
 *                   assets: null }                                   → release.assets (+ checksums.txt)
 *   confirm         release: { published: { id: Number }, released: null } → release.released
 *   supply          release: { released: { url: String }, supply: null }, config: { supply: { signingKey: Object } }
 *                                                                    → release.supply (SBOM, signatures, provenance;
 *                                                                      with the image when deploy.image) | waits for it
 *   supply-keyless  the same with config: { supply: { keyless: Object, signingKey: null } } (Fulcio + Rekor)
 *   notify          release: { released: { url: String }, notified: null } → release.notified, done (without supply)
 *   verify          release: { supply: Object, notified: Array, verified: null } → release.verified, done | fails ✖
 *   verify-signed-elsewhere release: { supply: null, notified: Array, verified: null },
 *                   config: { supply: { publicKeys: Array, signingKey: null, keyless: null } }
 *                                                                    → waits for the signatures its pipeline attaches,
 *                                                                      then release.verified, done | fails ✖
 */
export const releaseSteps: readonly Step<ReleaseDeps>[] = [
  classifyStep,
  releasePrMergedStep,
  loadConfigStep,
  packageFanOutStep,
  latestTagStep,
  nextVersionStep,
  dryRunStopStep,
  releasePrUpdateStep,
  checksGateStep,
  freezeGateStep,
  tagStep,
  createReleaseStep,
  uploadAssetsStep,
  confirmStep,
  supplyPublishStep,
  supplyKeylessStep,
  notifyStep,
  verifyStep,
  verifySignedElsewhereStep,
];

export const releaseFlow = defineFlow<ReleaseDeps>('release', releaseSteps);
