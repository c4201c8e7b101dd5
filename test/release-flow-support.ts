// Test support for the release flow: sandbox repos with real history, push facts, a client and a store per test.

import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createGitHubClient, type GitHubClient } from '../src/github/client.js';
import type { PushFacts } from '../src/steps/release-data.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { gitOk, type Harness, TOKEN } from './sandbox-harness.js';

export interface SandboxRepo {
  name: string;
  dir: string;
  head: string;
}

/** Create `acme/<name>`, commit `files` with the first message and then the others, push main. */
export async function sandboxRepo(
  h: Harness,
  name: string,
  messages: string[],
  files: Record<string, string> = {},
): Promise<SandboxRepo> {
  await h.octokit.rest.repos.createInOrg({ org: 'acme', name });
  const work = await h.tmp();
  await gitOk(work, ['clone', '--quiet', h.remote('acme', name), 'clone']);
  const dir = join(work, 'clone');
  await gitOk(dir, ['checkout', '-q', '-B', 'main']);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  if (Object.keys(files).length > 0) await gitOk(dir, ['add', '-A']);
  for (const m of messages) await gitOk(dir, ['commit', '-q', '--allow-empty', '-m', m]);
  await gitOk(dir, ['push', '-q', 'origin', 'main']);
  return { name, dir, head: await gitOk(dir, ['rev-parse', 'HEAD']) };
}

/** Commit more messages and push them; returns the new head. */
export async function pushCommits(repo: SandboxRepo, messages: string[], author?: string): Promise<string> {
  const who = author ? ['-c', `user.name=${author}`, '-c', `user.email=${author.replace(/\W/g, '')}@bots.example`] : [];
  for (const m of messages) {
    await gitOk(repo.dir, [
      ...who,
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      m,
      ...(author ? [`--author=${author} <bot@bots.example>`] : []),
    ]);
  }
  await gitOk(repo.dir, ['push', '-q', 'origin', 'main']);
  repo.head = await gitOk(repo.dir, ['rev-parse', 'HEAD']);
  return repo.head;
}

/** Change one file, commit it and push `branch`; `repo.head` becomes the new commit. */
export async function commitFile(repo: SandboxRepo, path: string, text: string, message: string, branch = 'main') {
  await mkdir(dirname(join(repo.dir, path)), { recursive: true });
  await writeFile(join(repo.dir, path), text);
  await gitOk(repo.dir, ['add', path]);
  await gitOk(repo.dir, ['commit', '-q', '-m', message]);
  await gitOk(repo.dir, ['push', '-q', 'origin', `HEAD:refs/heads/${branch}`]);
  repo.head = await gitOk(repo.dir, ['rev-parse', 'HEAD']);
}

/** PR mode for a monorepo of two packages: api (with a version file) and web. */
export const PR_MODE_MONOREPO = [
  'release:',
  '  mode: pr',
  'packages:',
  '  - name: api',
  '    path: packages/api',
  '    versionFiles:',
  '      - path: package.json',
  '  - name: web',
  '    path: packages/web',
  '',
].join('\n');

/** What the webhook server copies from a push payload. */
export async function pushFacts(repo: SandboxRepo, over: Partial<PushFacts> = {}): Promise<PushFacts> {
  const message = await gitOk(repo.dir, ['log', '-1', '--format=%B', repo.head]);
  const authorName = await gitOk(repo.dir, ['log', '-1', '--format=%an', repo.head]);
  return {
    ref: 'refs/heads/main',
    after: repo.head,
    headCommit: { id: repo.head, message, authorName },
    pusher: 'octocat',
    ...over,
  };
}

export function sandboxClient(h: Harness, over: Parameters<typeof createGitHubClient>[0] = {}): Promise<GitHubClient> {
  return createGitHubClient({
    baseUrl: h.url,
    token: TOKEN,
    retries: 3,
    retryBaseMs: 20,
    requestTimeoutMs: 20_000,
    env: {},
    ...over,
  });
}

export async function tempStore(): Promise<SqliteStore> {
  const dir = await mkdtemp(join(tmpdir(), 'cutter-release-store-'));
  return new SqliteStore(join(dir, 'cutter.db'));
}

/** Tags of a sandbox repo as the git CLI sees them from outside (`git ls-remote --tags`). */
export async function remoteTags(h: Harness, name: string): Promise<Map<string, string>> {
  const cwd = await h.tmp();
  const out = await gitOk(cwd, ['ls-remote', '--tags', h.remote('acme', name)]);
  const tags = new Map<string, string>();
  for (const line of out.split('\n').filter(Boolean)) {
    const [sha, ref] = line.split('\t');
    if (sha && ref) tags.set(ref.replace(/^refs\/tags\//, ''), sha);
  }
  return tags;
}
