// Step "load-config": for tasks not started by a push (CLI, fleet), find the head to release and read `.cutter.yml`.

import { matchBranch } from '../config/branch-channel.js';
import { readBranchHead } from '../github/repo-api.js';
import type { Step } from '../workflow/types.js';
import { releaseOf, repoOf } from './release-context.js';
import type { ReleaseDeps } from './release-deps.js';
import { configPatch, readRepoConfig } from './repo-config.js';

export const loadConfigStep: Step<ReleaseDeps> = {
  name: 'load-config',
  when: { release: Object, config: null },
  effect: 'none',
  async run(ctx) {
    const repo = repoOf(ctx.data);
    const release = releaseOf(ctx.data);
    const head = release.head
      ? { branch: release.branch ?? null, sha: release.head }
      : await readBranchHead(ctx.deps.github, repo, release.branch);
    const loaded = await readRepoConfig(ctx.deps.github, repo, head.sha);
    const channel = head.branch === null ? null : matchBranch(loaded.config.branches, head.branch).prerelease;
    ctx.log(
      `${loaded.source ?? 'no .cutter.yml: defaults'}; releasing ${head.sha.slice(0, 7)}${head.branch ? ` (${head.branch})` : ''}`,
    );
    return {
      patch: {
        config: configPatch(loaded),
        release: {
          head: head.sha,
          ...(head.branch ? { branch: head.branch } : {}),
          channel: release.channel ?? channel,
        },
      },
    };
  },
};
