// The `deploy:` section of .cutter.yml: which image a release produces and which driver rolls it out; builds the driver.

import type { Octokit } from '@octokit/rest';
import * as z from 'zod';
import { CutterError } from '../core/errors.js';
import { formatImageRef, parseImageRef } from '../core/image-ref.js';
import { createGitOpsDriver } from './gitops.js';
import { createInfraApiDriver, type InfraApiDeps } from './infra-api.js';
import type { RolloutDriver } from './rollout-driver.js';

/** Config holds the NAME of an environment variable, never a credential; this shape makes pasting a token an error. */
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'an environment variable name such as INFRA_TOKEN');
const template = z.string().regex(/^(\{base\}|https?:\/\/)/, 'a URL or a template starting with {base}');
const ms = z.number().int().positive();

export const infraApiDriverSchema = z
  .object({
    type: z.literal('infra-api'),
    baseUrl: z.string().regex(/^https?:\/\/[^\s]+$/, 'an http(s) URL'),
    updateUrl: template.optional(),
    method: z.enum(['PUT', 'POST', 'PATCH']).optional(),
    currentUrl: template.nullable().optional(),
    statusUrl: template.nullable().optional(),
    auth: z
      .object({ env: envName, header: z.string().min(1).optional(), scheme: z.string().optional() })
      .strict()
      .optional(),
    timeoutMs: ms.optional(),
    retries: z.number().int().min(0).max(10).optional(),
    backoffMs: ms.optional(),
    maxBackoffMs: ms.optional(),
    health: z.object({ timeoutMs: ms.optional(), intervalMs: ms.optional() }).strict().optional(),
  })
  .strict();

export const gitOpsDriverSchema = z
  .object({
    type: z.literal('gitops'),
    /** `owner/name` of the manifests repository. */
    repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'owner/name'),
    files: z.array(z.string().min(1)).min(1),
    base: z.string().min(1).optional(),
    branch: z.string().min(1).optional(),
    autoMerge: z.boolean().optional(),
    mergeMethod: z.enum(['merge', 'squash']).optional(),
  })
  .strict();

export const deploySectionSchema = z
  .object({
    /** The image a release produces: `ghcr.io/acme/{repo}:{version}` ({owner}, {repo}, {version}, {tag}). */
    image: z.string().min(1),
    /** The connector id the infra knows (default: the repository name). */
    connectorId: z.string().min(1).optional(),
    driver: z.discriminatedUnion('type', [infraApiDriverSchema, gitOpsDriverSchema]),
  })
  .strict();

export type DeploySection = z.output<typeof deploySectionSchema>;
export type RolloutDriverConfig = DeploySection['driver'];

/** Validate the raw `deploy:` section; null when the repository has none (it ships no image). */
export function parseDeploySection(raw: unknown, file = '.cutter.yml'): DeploySection | null {
  if (raw === undefined || raw === null || (typeof raw === 'object' && Object.keys(raw).length === 0)) return null;
  const result = deploySectionSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `deploy.${i.path.map(String).join('.')}: ${i.message}`);
    throw new CutterError('CUTTER_CONFIG_INVALID', `${file}: ${problems.join('; ')}`, {
      hint: 'see the deploy section of the configuration reference',
      details: { file, problems },
    });
  }
  return result.data;
}

/** Fill the image template for a release and validate the result: `ghcr.io/acme/{repo}:{version}` → `ghcr.io/acme/connector-x:1.4.2`. */
export function imageForRelease(
  imageTemplate: string,
  release: { owner: string; repo: string; version: string; tag?: string },
): string {
  const filled = imageTemplate
    .replaceAll('{owner}', release.owner.toLowerCase())
    .replaceAll('{repo}', release.repo.toLowerCase())
    .replaceAll('{version}', release.version)
    .replaceAll('{tag}', release.tag ?? `v${release.version}`);
  return formatImageRef(parseImageRef(filled));
}

/** The connector id for a repository: the configured one, or the repository name. */
export function connectorIdFor(section: Pick<DeploySection, 'connectorId'>, repo: string): string {
  return (section.connectorId ?? '{repo}').replaceAll('{repo}', repo);
}

export interface DriverDeps extends InfraApiDeps {
  /** Needed by the GitOps driver (an Octokit allowed to write to the manifests repository). */
  octokit?: Pick<Octokit, 'rest'>;
}

/** Build the configured driver; one row per driver type. */
export function createRolloutDriver(config: RolloutDriverConfig, deps: DriverDeps = {}): RolloutDriver {
  switch (config.type) {
    case 'infra-api': {
      const { type: _type, ...infra } = config;
      return createInfraApiDriver(infra, deps);
    }
    case 'gitops': {
      if (!deps.octokit)
        throw new CutterError('CUTTER_CONFIG_INVALID', 'the gitops driver needs a GitHub client', {
          hint: 'pass deps.octokit',
        });
      const [owner = '', repo = ''] = config.repository.split('/');
      return createGitOpsDriver(
        deps.octokit,
        {
          owner,
          repo,
          files: config.files,
          ...(config.base ? { base: config.base } : {}),
          ...(config.branch ? { branch: config.branch } : {}),
          ...(config.autoMerge !== undefined ? { autoMerge: config.autoMerge } : {}),
          ...(config.mergeMethod ? { mergeMethod: config.mergeMethod } : {}),
        },
        deps.log ? { log: deps.log } : {},
      );
    }
  }
}
