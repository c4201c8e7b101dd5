// Builders of GitHub-shaped webhook payloads (push, release, pull_request, create) from sandbox state.

import type { SandboxRepoInfo } from './reader.js';

/** Where the payload's links point: the sandbox's own API and web roots, or GitHub's. */
export interface PayloadUrls {
  api: string;
  web: string;
}

const GITHUB_URLS: PayloadUrls = { api: 'https://api.github.com', web: 'https://github.com' };

export interface WebhookSender {
  login: string;
  id: number;
  type?: 'User' | 'Bot' | 'Organization';
}

export interface GitPerson {
  name: string;
  email: string;
  username?: string;
}

export interface PushCommit {
  id: string;
  tree_id: string;
  message: string;
  /** ISO-8601 with offset, as git reports it. */
  timestamp: string;
  author: GitPerson;
  committer: GitPerson;
  added?: string[];
  removed?: string[];
  modified?: string[];
  /** False when the commit was already pushed to another branch. */
  distinct?: boolean;
}

export interface PushInput {
  repo: SandboxRepoInfo;
  /** Full ref, e.g. `refs/heads/main` or `refs/tags/v1.2.3`. */
  ref: string;
  before: string;
  after: string;
  /** Oldest first, as GitHub lists them; at most 20 are included, like GitHub. */
  commits: PushCommit[];
  pusher: GitPerson;
  sender: WebhookSender;
  created?: boolean;
  deleted?: boolean;
  forced?: boolean;
  baseRef?: string | null;
}

export interface WebhookRelease {
  id: number;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  created_at: string;
  published_at: string | null;
  /** Who made it; the sender when absent. */
  author?: WebhookSender;
}

export type ReleaseAction = 'created' | 'published' | 'released' | 'prereleased' | 'edited' | 'deleted' | 'unpublished';

export interface WebhookPullRequest {
  number: number;
  id?: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft?: boolean;
  merged: boolean;
  merged_at: string | null;
  merge_commit_sha: string | null;
  merged_by?: WebhookSender | null;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  user: WebhookSender;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  commits?: number;
  additions?: number;
  deletions?: number;
  changed_files?: number;
}

export type PullRequestAction = 'opened' | 'closed' | 'reopened' | 'synchronize' | 'edited' | 'ready_for_review';

const ZERO_SHA = '0000000000000000000000000000000000000000';
/** GitHub includes at most this many commits in a push payload; the rest are only in `compare`. */
export const PUSH_PAYLOAD_MAX_COMMITS = 20;

export function pushPayload(input: PushInput, urls: PayloadUrls = GITHUB_URLS) {
  const { repo } = input;
  const repoJson = repositoryPayload(repo, urls, { pushStyle: true });
  const commits = input.commits.slice(-PUSH_PAYLOAD_MAX_COMMITS).map((c) => commitPayload(c, repo, urls));
  const deleted = input.deleted ?? input.after === ZERO_SHA;
  const created = input.created ?? input.before === ZERO_SHA;
  const shortRef = input.ref.replace(/^refs\/(heads|tags)\//, '');
  return {
    ref: input.ref,
    before: input.before,
    after: input.after,
    repository: repoJson,
    pusher: { name: input.pusher.name, email: input.pusher.email },
    organization: organizationPayload(repo.owner, urls),
    sender: userPayload(input.sender, urls),
    created,
    deleted,
    forced: input.forced ?? false,
    base_ref: input.baseRef ?? null,
    // GitHub's compare link: a range for updates, the ref itself for a new ref.
    compare: created
      ? `${urls.web}/${repo.full_name}/compare/${shortRef}`
      : `${urls.web}/${repo.full_name}/compare/${input.before.slice(0, 12)}...${input.after.slice(0, 12)}`,
    commits,
    head_commit: deleted ? null : (commits.at(-1) ?? null),
  };
}

export function releasePayload(
  action: ReleaseAction,
  release: WebhookRelease,
  repo: SandboxRepoInfo,
  sender: WebhookSender,
  urls: PayloadUrls = GITHUB_URLS,
) {
  const api = `${urls.api}/repos/${repo.full_name}`;
  return {
    action,
    release: {
      url: `${api}/releases/${release.id}`,
      assets_url: `${api}/releases/${release.id}/assets`,
      upload_url: `${urls.api.replace('//api.', '//uploads.')}/repos/${repo.full_name}/releases/${release.id}/assets{?name,label}`,
      html_url: `${urls.web}/${repo.full_name}/releases/tag/${encodeURIComponent(release.tag_name)}`,
      id: release.id,
      author: userPayload(release.author ?? sender, urls),
      node_id: nodeId('Release', release.id),
      tag_name: release.tag_name,
      target_commitish: release.target_commitish,
      name: release.name,
      draft: release.draft,
      prerelease: release.prerelease,
      created_at: release.created_at,
      published_at: release.published_at,
      assets: [],
      tarball_url: `${api}/tarball/${encodeURIComponent(release.tag_name)}`,
      zipball_url: `${api}/zipball/${encodeURIComponent(release.tag_name)}`,
      body: release.body,
    },
    repository: repositoryPayload(repo, urls),
    organization: organizationPayload(repo.owner, urls),
    sender: userPayload(sender, urls),
  };
}

export function pullRequestPayload(
  action: PullRequestAction,
  pr: WebhookPullRequest,
  repo: SandboxRepoInfo,
  sender: WebhookSender,
  urls: PayloadUrls = GITHUB_URLS,
  /** `synchronize` says where the head moved from and to. */
  moved?: { before: string; after: string },
) {
  const api = `${urls.api}/repos/${repo.full_name}`;
  const html = `${urls.web}/${repo.full_name}/pull/${pr.number}`;
  const id = pr.id ?? repo.id * 1000 + pr.number;
  const side = (s: { ref: string; sha: string }) => ({
    label: `${repo.owner}:${s.ref}`,
    ref: s.ref,
    sha: s.sha,
    user: userPayload({ login: repo.owner, id: ownerId(repo.owner), type: 'Organization' }, urls),
    repo: repositoryPayload(repo, urls),
  });
  const link = (href: string) => ({ href });
  return {
    action,
    number: pr.number,
    ...(moved ? { before: moved.before, after: moved.after } : {}),
    pull_request: {
      url: `${api}/pulls/${pr.number}`,
      id,
      node_id: nodeId('PullRequest', id),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${api}/issues/${pr.number}`,
      number: pr.number,
      state: pr.state,
      locked: false,
      title: pr.title,
      user: userPayload(pr.user, urls),
      body: pr.body,
      created_at: pr.created_at,
      updated_at: pr.updated_at,
      closed_at: pr.closed_at,
      merged_at: pr.merged_at,
      merge_commit_sha: pr.merge_commit_sha,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      labels: [],
      milestone: null,
      draft: pr.draft ?? false,
      commits_url: `${api}/pulls/${pr.number}/commits`,
      review_comments_url: `${api}/pulls/${pr.number}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${pr.number}/comments`,
      statuses_url: `${api}/statuses/${pr.head.sha}`,
      head: side(pr.head),
      base: side(pr.base),
      _links: {
        self: link(`${api}/pulls/${pr.number}`),
        html: link(html),
        issue: link(`${api}/issues/${pr.number}`),
        comments: link(`${api}/issues/${pr.number}/comments`),
        review_comments: link(`${api}/pulls/${pr.number}/comments`),
        review_comment: link(`${api}/pulls/comments{/number}`),
        commits: link(`${api}/pulls/${pr.number}/commits`),
        statuses: link(`${api}/statuses/${pr.head.sha}`),
      },
      author_association: 'MEMBER',
      auto_merge: null,
      active_lock_reason: null,
      merged: pr.merged,
      mergeable: pr.state === 'open' ? true : null,
      rebaseable: pr.state === 'open' ? true : null,
      mergeable_state: pr.state === 'open' ? 'clean' : 'unknown',
      merged_by: pr.merged ? userPayload(pr.merged_by ?? sender, urls) : null,
      comments: 0,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: pr.commits ?? 1,
      additions: pr.additions ?? 0,
      deletions: pr.deletions ?? 0,
      changed_files: pr.changed_files ?? 0,
    },
    repository: repositoryPayload(repo, urls),
    organization: organizationPayload(repo.owner, urls),
    sender: userPayload(sender, urls),
  };
}

export function createPayload(
  ref: string,
  refType: 'branch' | 'tag',
  repo: SandboxRepoInfo,
  sender: WebhookSender,
  urls: PayloadUrls = GITHUB_URLS,
) {
  return {
    // `create` names the short ref (`v1.2.3`), unlike `push`.
    ref: ref.replace(/^refs\/(heads|tags)\//, ''),
    ref_type: refType,
    master_branch: repo.default_branch,
    description: repo.description,
    pusher_type: 'user',
    repository: repositoryPayload(repo, urls),
    organization: organizationPayload(repo.owner, urls),
    sender: userPayload(sender, urls),
  };
}

function commitPayload(c: PushCommit, repo: SandboxRepoInfo, urls: PayloadUrls) {
  return {
    id: c.id,
    tree_id: c.tree_id,
    distinct: c.distinct ?? true,
    message: c.message,
    timestamp: c.timestamp,
    url: `${urls.web}/${repo.full_name}/commit/${c.id}`,
    author: person(c.author),
    committer: person(c.committer),
    added: c.added ?? [],
    removed: c.removed ?? [],
    modified: c.modified ?? [],
  };
}

function person(p: GitPerson) {
  return p.username ? { name: p.name, email: p.email, username: p.username } : { name: p.name, email: p.email };
}

export function userPayload(user: WebhookSender, urls: PayloadUrls = GITHUB_URLS) {
  const api = `${urls.api}/users/${user.login}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type === 'Organization' ? 'Organization' : 'User', user.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `${urls.web}/${user.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type ?? 'User',
    site_admin: false,
  };
}

function organizationPayload(login: string, urls: PayloadUrls) {
  const api = `${urls.api}/orgs/${login}`;
  const id = ownerId(login);
  return {
    login,
    id,
    node_id: nodeId('Organization', id),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    description: null,
  };
}

/**
 * The full repository object of webhook payloads. Push payloads carry `created_at`/`pushed_at` as Unix seconds
 * and a few extra fields, a quirk of GitHub's that receivers must cope with, so the sandbox reproduces it.
 */
export function repositoryPayload(
  repo: SandboxRepoInfo,
  urls: PayloadUrls = GITHUB_URLS,
  options: { pushStyle?: boolean } = {},
) {
  const api = `${urls.api}/repos/${repo.full_name}`;
  const html = `${urls.web}/${repo.full_name}`;
  const host = new URL(urls.web).host;
  const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  const base = {
    id: repo.id,
    node_id: repo.node_id,
    name: repo.name,
    full_name: repo.full_name,
    private: repo.private,
    owner: userPayload({ login: repo.owner, id: ownerId(repo.owner), type: 'Organization' }, urls),
    html_url: html,
    description: repo.description,
    fork: false,
    url: api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
    created_at: options.pushStyle ? seconds(repo.created_at) : repo.created_at,
    updated_at: repo.updated_at,
    pushed_at: options.pushStyle ? seconds(repo.pushed_at) : repo.pushed_at,
    git_url: `git://${host}/${repo.full_name}.git`,
    ssh_url: `git@${host}:${repo.full_name}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    homepage: null,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: repo.archived,
    disabled: false,
    open_issues_count: 0,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: repo.topics,
    visibility: repo.private ? 'private' : 'public',
    forks: 0,
    open_issues: 0,
    watchers: 0,
    default_branch: repo.default_branch,
    custom_properties: {},
  };
  return options.pushStyle
    ? { ...base, stargazers: 0, master_branch: repo.default_branch, organization: repo.owner }
    : base;
}

/** A stable id per owner login, so payloads are reproducible. */
function ownerId(login: string): number {
  let hash = 7;
  for (const ch of login) hash = (hash * 31 + ch.charCodeAt(0)) % 90_000_000;
  return 10_000_000 + hash;
}

function nodeId(type: string, id: number): string {
  return Buffer.from(`0${String(type.length).padStart(2, '0')}:${type}${id}`).toString('base64');
}
