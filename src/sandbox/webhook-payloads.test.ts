import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { SandboxRepoInfo } from './reader.js';
import {
  createPayload,
  PUSH_PAYLOAD_MAX_COMMITS,
  type PushCommit,
  pullRequestPayload,
  pushPayload,
  releasePayload,
  type WebhookPullRequest,
} from './webhook-payloads.js';

// Every payload is checked against GitHub's published webhook schemas (@octokit/webhooks-schemas).
const require = createRequire(import.meta.url);
const schema = require('@octokit/webhooks-schemas') as Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(schema, 'webhooks');
function validator(definition: string): ValidateFunction {
  const validate = ajv.getSchema(`webhooks#/definitions/${definition}`);
  if (!validate) throw new Error(`no schema for ${definition}`);
  return validate;
}
function expectValid(definition: string, payload: unknown): void {
  const validate = validator(definition);
  const ok = validate(payload);
  expect(ok ? [] : validate.errors?.slice(0, 5)).toEqual([]);
}

const repo: SandboxRepoInfo = {
  id: 123456789,
  node_id: Buffer.from('010:Repository123456789').toString('base64'),
  owner: 'acme',
  name: 'connector-slack',
  full_name: 'acme/connector-slack',
  private: false,
  archived: false,
  topics: ['connector'],
  default_branch: 'main',
  description: 'Acme slack connector',
  created_at: '2024-01-02T09:00:00Z',
  updated_at: '2024-01-02T15:00:00Z',
  pushed_at: '2024-01-02T15:00:00Z',
};
const sender = { login: 'octocat', id: 583231 };
const urls = { api: 'http://127.0.0.1:4010/api/v3', web: 'http://127.0.0.1:4010' };
const sha = (n: number) => n.toString(16).padStart(40, 'a');

const commits: PushCommit[] = Array.from({ length: 25 }, (_, i) => ({
  id: sha(i + 1),
  tree_id: sha(1000 + i),
  message: `fix: change ${i + 1}`,
  timestamp: '2024-01-02T15:00:00+00:00',
  author: { name: 'Ada', email: 'ada@example.com', username: 'ada' },
  committer: { name: 'GitHub', email: 'noreply@github.com' },
  modified: ['index.js'],
}));

describe('webhook payloads validate against @octokit/webhooks-schemas', () => {
  it('push to the default branch', () => {
    const payload = pushPayload(
      {
        repo,
        ref: 'refs/heads/main',
        before: sha(0),
        after: sha(25),
        commits,
        pusher: { name: 'ada', email: 'ada@example.com' },
        sender,
      },
      urls,
    );
    expectValid('push$event', payload);
    // like GitHub: at most 20 commits, the newest last and as head_commit
    expect(payload.commits).toHaveLength(PUSH_PAYLOAD_MAX_COMMITS);
    expect(payload.head_commit?.id).toBe(sha(25));
    expect(payload.repository.created_at).toBe(Math.floor(Date.parse(repo.created_at) / 1000));
    expect(payload.compare).toBe(
      `${urls.web}/acme/connector-slack/compare/${sha(0).slice(0, 12)}...${sha(25).slice(0, 12)}`,
    );
  });

  it('push that creates a tag and push that deletes a branch', () => {
    const created = pushPayload(
      {
        repo,
        ref: 'refs/tags/v1.4.3',
        before: '0'.repeat(40),
        after: sha(25),
        commits: [],
        pusher: { name: 'ada', email: 'ada@example.com' },
        sender,
      },
      urls,
    );
    expectValid('push$event', created);
    expect(created.created).toBe(true);
    const deleted = pushPayload(
      {
        repo,
        ref: 'refs/heads/feature',
        before: sha(3),
        after: '0'.repeat(40),
        commits: [],
        pusher: { name: 'ada', email: 'ada@example.com' },
        sender,
      },
      urls,
    );
    expectValid('push$event', deleted);
    expect(deleted).toMatchObject({ deleted: true, head_commit: null });
  });

  it('release published, created and prereleased', () => {
    const release = {
      id: 1001,
      tag_name: 'v1.4.3',
      target_commitish: 'main',
      name: 'v1.4.3',
      body: '### Bug Fixes\n\n* back off on 429',
      draft: false,
      prerelease: false,
      created_at: '2024-01-02T15:10:00Z',
      published_at: '2024-01-02T15:10:00Z',
    };
    expectValid('release$published', releasePayload('published', release, repo, sender, urls));
    expectValid('release$created', releasePayload('created', release, repo, sender, urls));
    expectValid(
      'release$prereleased',
      releasePayload('prereleased', { ...release, prerelease: true }, repo, sender, urls),
    );
    expect(releasePayload('published', release, repo, sender, urls).release.html_url).toBe(
      `${urls.web}/acme/connector-slack/releases/tag/v1.4.3`,
    );
  });

  it('pull request opened and merged', () => {
    const pr: WebhookPullRequest = {
      number: 12,
      title: 'fix(s3): multipart uploads over 5 GiB',
      body: null,
      state: 'open',
      merged: false,
      merged_at: null,
      merge_commit_sha: null,
      head: { ref: 'fix-multipart', sha: sha(7) },
      base: { ref: 'main', sha: sha(6) },
      user: sender,
      created_at: '2024-01-02T10:00:00Z',
      updated_at: '2024-01-02T10:00:00Z',
      closed_at: null,
    };
    expectValid('pull_request$opened', pullRequestPayload('opened', pr, repo, sender, urls));
    const pushed = { ...pr, head: { ref: 'fix-multipart', sha: sha(9) } };
    expectValid(
      'pull_request$synchronize',
      pullRequestPayload('synchronize', pushed, repo, sender, urls, { before: sha(7), after: sha(9) }),
    );
    const merged = pullRequestPayload(
      'closed',
      {
        ...pr,
        state: 'closed',
        merged: true,
        merged_at: '2024-01-02T11:00:00Z',
        closed_at: '2024-01-02T11:00:00Z',
        merge_commit_sha: sha(8),
      },
      repo,
      sender,
      urls,
    );
    expectValid('pull_request$closed', merged);
    expect(merged.pull_request).toMatchObject({ merged: true, merge_commit_sha: sha(8) });
    expect(merged.pull_request.merged_by?.login).toBe('octocat');
  });

  it('create of a tag and of a branch', () => {
    const tag = createPayload('refs/tags/v1.4.3', 'tag', repo, sender, urls);
    expectValid('create$event', tag);
    expect(tag.ref).toBe('v1.4.3');
    expectValid('create$event', createPayload('release-1.4', 'branch', { ...repo, description: null }, sender, urls));
  });

  it('a payload missing a required field fails validation (the check is real)', () => {
    const { sender: _dropped, ...broken } = createPayload('v1', 'tag', repo, sender, urls);
    expect(validator('create$event')(broken)).toBe(false);
  });
});
