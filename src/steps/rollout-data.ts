// The JSON a build (image roll-out) task carries: the request from the API, a webhook or a release, and what steps add.

import * as z from 'zod';
import { CutterError } from '../core/errors.js';
import { isImageRef } from '../core/image-ref.js';
import { CONNECTOR_ID } from '../deploy/rollout-driver.js';
import type { JsonObject } from '../workflow/types.js';

export const BUILD_TASK_KIND = 'build';

/**
 * The steps of a build before the roll-out step: one that fails there (no config, the image never appeared, an image
 * `supply.require` refused) stopped the roll-out before anything reached the target, so nothing that runs changed.
 */
export const BEFORE_TARGET_STEPS: readonly string[] = ['resolve', 'plan-rollback', 'pin-image', 'image-policy'];

/** `{ build: { type: "connector", connectorId, image } }`: the boundary shape of every trigger (API body, webhook, release). */
export const buildRequestSchema = z
  .object({
    type: z.literal('connector'),
    connectorId: z.string().regex(CONNECTOR_ID, 'letters, digits, ".", "_" and "-", starting with a letter or digit'),
    /** The image to run; absent for a rollback (the previous release) or with `version` (the config's image template). */
    image: z
      .string()
      .max(512)
      .refine(isImageRef, 'an image reference such as ghcr.io/acme/connector-x:1.4.2')
      .optional(),
    /** `owner/name` of the repository whose `.cutter.yml` names the driver (default: the org's repo named like the connector). */
    repo: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'owner/name')
      .optional(),
    version: z.string().max(128).optional(),
    /** The release tag, so the Slack roll-out message threads under the release message. */
    tag: z.string().max(256).optional(),
    /** The released commit (commit-status notifications). */
    sha: z
      .string()
      .regex(/^[0-9a-f]{40}$/)
      .optional(),
    trigger: z.string().max(200).optional(),
    /** Re-deploy the previously released image (fix-forward); records a rollback. */
    rollback: z.boolean().optional(),
  })
  .strict()
  .refine((b) => b.rollback === true || b.image !== undefined || b.version !== undefined, {
    message: 'image is required (or a version, filled into the configured image template)',
    path: ['image'],
  });

export type BuildRequest = z.output<typeof buildRequestSchema>;

/** Validate a build request; a bad one is a CUTTER_BAD_INPUT naming each field. */
export function parseBuildRequest(raw: unknown): BuildRequest {
  const result = buildRequestSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `build.${i.path.map(String).join('.') || '(body)'}: ${i.message}`);
  throw new CutterError('CUTTER_BAD_INPUT', problems.join('; '), {
    hint: '{"build":{"type":"connector","connectorId":"connector-x","image":"ghcr.io/acme/connector-x:1.4.2"}}',
    details: { problems },
  });
}

/** What the roll-out step saw (`previousImage` is left out when unknown: a patch cannot keep nulls). */
export interface RolloutState {
  driver: string;
  outcome: 'updated' | 'unchanged' | 'pending' | 'dry-run';
  previousImage?: string;
  status?: number;
  attempts: number;
  healthy?: boolean;
  url?: string;
}

export interface BuildTaskData {
  build: BuildRequest;
  /** Set by resolve: the driver config (environment-variable names only, never secrets) and the channels. */
  deploy?: { driver: JsonObject; notify?: JsonObject; source: string; tagFormat?: string; supply?: JsonObject };
  /** Set by pin-image: the tag asked for and the digest the driver was handed instead (`build.image` is then `name@sha256:…`). */
  pinned?: { requested: string; digest: string; at: string };
  /** First time pin-image looked and the image was not in the registry yet (the wait times out from here). */
  imageWaitingSince?: string;
  /** Set by image-policy: the proofs `supply.require` asked for, all present and valid for the pinned digest. */
  policy?: { required: string[]; at: string };
  /** Set by plan-rollback. */
  plan?: { from?: string; to: string; reason: string };
  rollout?: RolloutState;
  /** A GitOps pull request was open and not merged yet: the roll-out step looks again until it is. */
  awaitingMerge?: { url?: string; since: string };
  confirmed?: { ok: boolean; at: string; recorded: boolean };
  notified?: Array<{ channel: string; ok: boolean; error?: string; skipped?: string }>;
  skipped?: { reason: string };
  dryRun?: boolean;
}

/** Roll-outs of one repository (or connector) run one at a time, after that repository's releases. */
export function buildTaskKey(build: Pick<BuildRequest, 'repo' | 'connectorId'>): string {
  return build.repo ?? `connector:${build.connectorId}`;
}

export function buildOf(data: Readonly<JsonObject>): BuildTaskData {
  const d = data as unknown as BuildTaskData;
  if (!d.build) throw new CutterError('CUTTER_BAD_INPUT', 'a build task needs data { build: { … } }');
  return d;
}
