// Reads a repository's `.cutter.yml` through the contents API at one commit (the defaults when there is none).

import { defaultConfig } from '../config/defaults.js';
import { CONFIG_FILE_NAMES, parseConfig } from '../config/load-config.js';
import type { CutterConfig } from '../config/schema.js';
import type { GitHubClient } from '../github/client.js';
import { readRepoFile } from '../github/repo-api.js';
import type { JsonObject } from '../workflow/types.js';
import type { RepoRef } from './release-data.js';

export async function readRepoConfig(
  gh: GitHubClient,
  repo: RepoRef,
  ref: string,
): Promise<{ config: CutterConfig; source: string | null }> {
  for (const name of CONFIG_FILE_NAMES) {
    const text = await readRepoFile(gh, repo, name, ref);
    if (text === null) continue;
    const source = `${repo.owner}/${repo.name}@${ref.slice(0, 7)}:${name}`;
    return { config: await parseConfig(text, source), source };
  }
  return { config: defaultConfig(), source: null };
}

/**
 * The config as it is kept in the task's data (plain JSON, with where it came from). An empty `packages` list is
 * left out, so the package fan-out's shape `config: { packages: Array }` matches monorepos only.
 */
export function configPatch(loaded: { config: CutterConfig; source: string | null }): JsonObject {
  const { packages, ...rest } = JSON.parse(JSON.stringify(loaded.config)) as JsonObject;
  return { ...rest, ...(Array.isArray(packages) && packages.length > 0 ? { packages } : {}), source: loaded.source };
}
