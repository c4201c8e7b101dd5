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

/** The config as it is kept in the task's data (plain JSON, with where it came from). */
export function configPatch(loaded: { config: CutterConfig; source: string | null }): JsonObject {
  return { ...(JSON.parse(JSON.stringify(loaded.config)) as JsonObject), source: loaded.source };
}
