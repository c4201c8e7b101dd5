// Roll out an image by pull request on a manifests repository: bump the tag in YAML files, open the PR, optionally merge it.

import type { Octokit } from '@octokit/rest';
import { CutterError } from '../core/errors.js';
import { imageRepository, parseImageRef } from '../core/image-ref.js';
import { bumpImageTag, type ImageTagEdit } from '../core/image-tags.js';
import { redact } from '../core/redact.js';
import {
  CONNECTOR_ID,
  type RolloutDriver,
  type RolloutOptions,
  type RolloutRequest,
  type RolloutResult,
} from './rollout-driver.js';

export interface GitOpsConfig {
  /** The manifests repository. */
  owner: string;
  repo: string;
  /** YAML files to edit (Kubernetes manifests, Helm values, kustomization); `{connectorId}` is filled in. */
  files: string[];
  /** Branch the PR targets (default: the repository's default branch). */
  base?: string;
  /** Default `cutter/rollout-{connectorId}-{tag}`: one branch per target version, so a re-run finds its own PR. */
  branch?: string;
  /** Merge the PR at once through the merge endpoint; the roll-out succeeds when it is merged (default false). */
  autoMerge?: boolean;
  mergeMethod?: 'merge' | 'squash';
}

type Rest = Pick<Octokit, 'rest'>;

/** Branch names from a template: git refuses `..`, `~^:?*[\` and spaces; ids and tags are already restricted. */
function branchName(template: string, connectorId: string, tag: string): string {
  return template
    .replaceAll('{connectorId}', connectorId)
    .replaceAll('{tag}', tag)
    .replace(/\.{2,}/g, '.')
    .replace(/[^A-Za-z0-9._/-]/g, '-');
}

/** An Octokit failure as a roll-out error: 5xx/429/409/no answer are worth retrying; other 4xx are not. */
function githubFailure(what: string, err: unknown): CutterError {
  const e = err as { status?: number; message?: string };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const transient = status === undefined || status >= 500 || status === 429 || status === 409;
  return new CutterError(
    'CUTTER_DEPLOY_FAILED',
    redact(`${what}: GitHub answered ${status ?? 'nothing'}${e.message ? ` (${e.message.split('\n')[0]})` : ''}`),
    {
      transient,
      hint:
        status === 404
          ? 'check the manifests repository, branch and file paths, and that the token can write to it'
          : undefined,
      details: status === undefined ? {} : { status },
    },
  );
}

async function readFile(
  octokit: Rest,
  owner: string,
  repo: string,
  path: string,
  ref: string,
): Promise<{ text: string; sha: string }> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner, repo, path, ref });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
      throw new CutterError('CUTTER_DEPLOY_FAILED', `${owner}/${repo}:${path} is not a file`);
    }
    return { text: Buffer.from(data.content, 'base64').toString('utf8'), sha: data.sha };
  } catch (err) {
    if (err instanceof CutterError) throw err;
    throw githubFailure(`reading ${owner}/${repo}:${path}@${ref}`, err);
  }
}

/** `tag: "1.4.1"` edits only know the tag; show the whole previous image when we can. */
function previousImageOf(edits: ImageTagEdit[], repository: string): string | null {
  const first = edits[0];
  if (!first?.from) return null;
  const from = first.from.replace(/^["']|["']$/g, '');
  return from.includes('/') || from.includes(':') ? from : `${repository}:${from}`;
}

export function createGitOpsDriver(
  octokit: Rest,
  config: GitOpsConfig,
  deps: { log?: (line: string) => void } = {},
): RolloutDriver {
  const { owner, repo } = config;

  return {
    name: 'gitops',
    async rollout(req: RolloutRequest, opts: RolloutOptions = {}): Promise<RolloutResult> {
      if (!CONNECTOR_ID.test(req.connectorId)) {
        throw new CutterError(
          'CUTTER_BAD_INPUT',
          `invalid connector id ${JSON.stringify(String(req.connectorId).slice(0, 80))}`,
        );
      }
      const ref = parseImageRef(req.image);
      if (!ref.tag) {
        throw new CutterError('CUTTER_BAD_INPUT', `GitOps roll-out needs a tagged image, got ${req.image}`, {
          hint: 'pass registry/name:tag (a digest may follow the tag)',
        });
      }
      const tag = ref.tag;
      const repository = imageRepository(ref);
      const log: string[] = [];
      const say = (line: string) => {
        const safe = redact(line);
        log.push(safe);
        deps.log?.(safe);
      };
      const files = config.files.map((f) => f.replaceAll('{connectorId}', req.connectorId));
      const base = { driver: 'gitops', connectorId: req.connectorId, image: req.image };

      let baseBranch = config.base;
      if (!baseBranch) {
        try {
          baseBranch = (await octokit.rest.repos.get({ owner, repo })).data.default_branch;
        } catch (err) {
          throw githubFailure(`reading ${owner}/${repo}`, err);
        }
      }

      // What the base branch says decides whether there is anything to do at all.
      const planned: Array<{ path: string; edits: ImageTagEdit[] }> = [];
      for (const path of files) {
        const { text } = await readFile(octokit, owner, repo, path, baseBranch);
        const result = bumpImageTag(text, { image: repository, tag, digest: ref.digest });
        if (result.changed > 0) planned.push({ path, edits: result.edits });
      }
      const previousImage = previousImageOf(
        planned.flatMap((p) => p.edits),
        repository,
      );
      if (planned.length === 0) {
        say(`${owner}/${repo}@${baseBranch} already points ${files.join(', ')} at ${repository}:${tag}; nothing to do`);
        return { ...base, outcome: 'unchanged', previousImage: null, attempts: 0, log };
      }
      for (const p of planned) for (const e of p.edits) say(`${p.path}: ${e.where}: ${e.from || '(none)'} → ${e.to}`);
      const branch = branchName(config.branch ?? 'cutter/rollout-{connectorId}-{tag}', req.connectorId, tag);
      if (opts.dryRun) {
        say(
          `would open a pull request ${branch} → ${baseBranch} on ${owner}/${repo}${config.autoMerge ? ' and merge it' : ''}`,
        );
        return { ...base, outcome: 'dry-run', previousImage, attempts: 0, log };
      }

      // The branch may exist from an earlier, interrupted run: reuse it and only commit what is still missing.
      try {
        await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
        say(`reusing branch ${branch}`);
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw githubFailure(`reading branch ${branch}`, err);
        try {
          const baseSha = (await octokit.rest.git.getRef({ owner, repo, ref: `heads/${baseBranch}` })).data.object.sha;
          await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: baseSha });
        } catch (createErr) {
          throw githubFailure(`creating branch ${branch}`, createErr);
        }
      }
      const message = `chore(deploy): roll out ${req.image} to ${req.connectorId}`;
      for (const { path } of planned) {
        const { text, sha } = await readFile(octokit, owner, repo, path, branch);
        const result = bumpImageTag(text, { image: repository, tag, digest: ref.digest });
        if (result.changed === 0) continue;
        try {
          await octokit.rest.repos.createOrUpdateFileContents({
            owner,
            repo,
            path,
            branch,
            sha,
            message,
            content: Buffer.from(result.text, 'utf8').toString('base64'),
          });
        } catch (err) {
          throw githubFailure(`committing ${path} on ${branch}`, err);
        }
      }

      let pr: { number: number; html_url: string };
      try {
        const open = await octokit.rest.pulls.list({
          owner,
          repo,
          head: `${owner}:${branch}`,
          base: baseBranch,
          state: 'open',
        });
        const existing = open.data[0];
        if (existing) {
          pr = existing;
          say(`adopting open pull request #${existing.number}`);
        } else {
          const lines = planned.flatMap((p) =>
            p.edits.map((e) => `- \`${p.path}\` ${e.where}: \`${e.from || '(none)'}\` → \`${e.to}\``),
          );
          const created = await octokit.rest.pulls.create({
            owner,
            repo,
            head: branch,
            base: baseBranch,
            title: `Roll out ${req.connectorId} ${req.version ?? tag}`,
            body: [
              `Cutter rolls out \`${req.image}\` to **${req.connectorId}**${req.repo ? ` (released from ${req.repo})` : ''}.`,
              '',
              ...lines,
            ].join('\n'),
          });
          pr = created.data;
          say(`opened pull request #${pr.number}`);
        }
      } catch (err) {
        const failure = githubFailure(`opening the pull request for ${branch}`, err);
        // Our pull request was merged between reading the base and listing open PRs: the next attempt reads the
        // base with the image in place and reports the roll-out done.
        if (/No commits between/i.test(failure.message)) {
          throw new CutterError('CUTTER_DEPLOY_FAILED', failure.message, {
            transient: true,
            hint: 'the base branch changed meanwhile; retrying reads it again',
          });
        }
        throw failure;
      }

      if (!config.autoMerge) {
        return { ...base, outcome: 'pending', previousImage, attempts: 1, url: pr.html_url, log };
      }
      try {
        const merged = await octokit.rest.pulls.merge({
          owner,
          repo,
          pull_number: pr.number,
          merge_method: config.mergeMethod ?? 'squash',
        });
        if (!merged.data.merged)
          throw new CutterError(
            'CUTTER_DEPLOY_FAILED',
            `pull request #${pr.number} was not merged: ${merged.data.message}`,
          );
        say(`merged pull request #${pr.number} as ${merged.data.sha.slice(0, 12)}`);
        return {
          ...base,
          outcome: 'updated',
          previousImage,
          status: merged.status,
          attempts: 1,
          url: pr.html_url,
          log,
        };
      } catch (err) {
        if (err instanceof CutterError) throw err;
        const status = (err as { status?: number }).status;
        if (status === 405 || status === 409) {
          throw new CutterError(
            'CUTTER_DEPLOY_FAILED',
            `pull request #${pr.number} on ${owner}/${repo} cannot be merged (${status})`,
            {
              hint: `resolve it by hand: ${pr.html_url}`,
              details: { status, url: pr.html_url },
            },
          );
        }
        throw githubFailure(`merging pull request #${pr.number}`, err);
      }
    },
  };
}
