// Starts a throwaway sandbox (temp root, port 0, OpenAPI checks on) and runs the real git CLI against it.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { createSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/server.js';

export const TOKEN = 'sandbox-test-token-1';
export const OTHER_TOKEN = 'sandbox-test-token-other';
export const ADMIN = 'sandbox-test-admin';

export interface Harness {
  sandbox: Sandbox;
  url: string;
  root: string;
  octokit: Octokit;
  /** An Octokit for any token (e.g. one without access to the org). */
  client(token: string): Octokit;
  /** `http://x-access-token:TOKEN@host/owner/name.git` */
  remote(owner: string, name: string, token?: string): string;
  tmp(): Promise<string>;
  close(): Promise<void>;
}

export async function startSandbox(opts: Partial<SandboxOptions> = {}): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'sandbox-root-'));
  const temps: string[] = [root];
  const sandbox = await createSandbox({
    root,
    tokens: {
      [TOKEN]: { orgs: ['acme'], login: 'release-bot' },
      [OTHER_TOKEN]: { orgs: ['globex'], login: 'outsider' },
    },
    adminToken: ADMIN,
    validateResponses: true,
    ...opts,
  });
  const { url } = await sandbox.listen();
  sandbox.createOrg('acme');
  sandbox.createOrg('globex');
  const client = (token: string) => new Octokit({ auth: token, baseUrl: url, request: { retries: 0 } });
  return {
    sandbox,
    url,
    root,
    octokit: client(TOKEN),
    client,
    remote: (owner, name, token = TOKEN) =>
      `${url.replace('http://', `http://x-access-token:${token}@`)}/${owner}/${name}.git`,
    async tmp() {
      const dir = await mkdtemp(join(tmpdir(), 'sandbox-work-'));
      temps.push(dir);
      return dir;
    },
    async close() {
      await sandbox.close();
      await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test Dev',
  GIT_AUTHOR_EMAIL: 'dev@acme.example',
  GIT_COMMITTER_NAME: 'Test Dev',
  GIT_COMMITTER_EMAIL: 'dev@acme.example',
  GIT_TERMINAL_PROMPT: '0',
};

/** Run git in a working directory; resolves with exit code and output (never throws on a non-zero exit). */
export function git(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: { ...process.env, ...IDENTITY } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: stdout.trim(), stderr }));
  });
}

/** Run git and fail loudly when it fails. */
export async function gitOk(cwd: string, args: string[]): Promise<string> {
  const r = await git(cwd, args);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Create `acme/<name>`, clone it, commit the given conventional messages, push main; returns the clone dir. */
export async function repoWithHistory(h: Harness, name: string, messages: string[]): Promise<string> {
  await h.octokit.rest.repos.createInOrg({ org: 'acme', name });
  const work = await h.tmp();
  await gitOk(work, ['clone', '--quiet', h.remote('acme', name), 'clone']);
  const dir = join(work, 'clone');
  await gitOk(dir, ['checkout', '-q', '-B', 'main']);
  let i = 0;
  for (const m of messages) {
    await gitOk(dir, ['commit', '-q', '--allow-empty', '-m', m]);
    i++;
  }
  void i;
  await gitOk(dir, ['push', '-q', 'origin', 'main']);
  return dir;
}

/**
 * A reviewer's "Ready for review" (GitHub's `markPullRequestReadyForReview` mutation, as `gh pr ready` sends it),
 * then the merge: GitHub refuses to merge a draft pull request.
 */
export async function readyAndMerge(
  octokit: Octokit,
  pr: { owner: string; repo: string; pull_number: number; merge_method?: 'merge' | 'squash' },
) {
  const { data } = await octokit.rest.pulls.get({ owner: pr.owner, repo: pr.repo, pull_number: pr.pull_number });
  if (data.draft) {
    await octokit.graphql(
      'mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } } }',
      { id: data.node_id },
    );
  }
  return octokit.rest.pulls.merge(pr);
}
