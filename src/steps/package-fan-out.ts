// Step "package-fan-out": a monorepo's push becomes one release task per package, each with its own tags and notes.

import { DEFAULT_PACKAGE_TAG_FORMAT } from '../core/package-paths.js';
import type { Step } from '../workflow/types.js';
import { configOf, headOf, releaseOf, repoOf, taskData } from './release-context.js';
import { RELEASE_TASK_KIND, type ReleaseTaskData, releaseTaskKey } from './release-data.js';
import type { ReleaseDeps } from './release-deps.js';

/**
 * What makes a release task one package's: the repository's config with the package's name and tag format, and
 * `package` (its path filter). Package tasks of the fan-out and a merged package release PR both carry this.
 */
export function packageTaskFields(
  config: NonNullable<ReleaseTaskData['config']>,
  p: { name: string; path: string; exclude?: readonly string[]; tagFormat?: string | undefined },
): Pick<ReleaseTaskData, 'config' | 'package'> {
  return {
    config: { ...config, package: p.name, tagFormat: p.tagFormat ?? DEFAULT_PACKAGE_TAG_FORMAT },
    package: {
      name: p.name,
      path: p.path,
      ...(p.exclude && p.exclude.length > 0 ? { exclude: [...p.exclude] } : {}),
      ...(p.tagFormat ? { tagFormat: p.tagFormat } : {}),
    },
  };
}

/**
 * Runs once the config is known and before any tag is looked at. `configPatch` leaves an empty `packages` list out
 * of the task's data, so this shape matches monorepos only and a single-package repository never sees this step.
 * A package task carries `package`, which stops it from fanning out again.
 */
export const packageFanOutStep: Step<ReleaseDeps> = {
  name: 'package-fan-out',
  when: { config: { packages: Array }, package: null, release: { latest: null, next: null } },
  effect: 'idempotent',
  async run(ctx) {
    const data = taskData(ctx.data);
    const repo = repoOf(ctx.data);
    const packages = configOf(ctx.data).packages ?? [];
    if (packages.length === 0) {
      // Data stored before empty lists were left out: drop the key and release the repository as one.
      return { patch: { config: { packages: null } } };
    }
    const release = releaseOf(ctx.data);
    const head = headOf(ctx.data);
    const children = packages.map((p) => {
      // Each package task starts where the repository's left off: config and head known, its latest tag not yet.
      const child: ReleaseTaskData = {
        repo,
        ...(data.push ? { push: data.push } : {}),
        ...(data.trigger ? { trigger: data.trigger } : {}),
        ...(data.overrideFreeze ? { overrideFreeze: data.overrideFreeze } : {}),
        ...(data.dryRun ? { dryRun: true } : {}),
        ...packageTaskFields(data.config!, p),
        release: {
          head,
          ...(release.branch ? { branch: release.branch } : {}),
          ...(release.channel !== undefined ? { channel: release.channel } : {}),
        },
      };
      return {
        kind: RELEASE_TASK_KIND,
        // Per repository, like every release: the packages' tags and releases are written one task at a time.
        key: releaseTaskKey(repo),
        data: child as never,
        // A re-run of this step (crash before its commit) finds the same children instead of making new ones.
        dedupeKey: `packages:${ctx.taskId}:${p.name}`,
      };
    });
    const names = packages.map((p) => p.name);
    ctx.log(`${head.slice(0, 7)}: one release task per package (${names.join(', ')})`);
    return {
      complete: true,
      children,
      patch: { skipped: { reason: `fanned out to ${names.length} packages`, details: names } },
    };
  },
};
