// GitHub's JSON representations (users, repos, refs, commits, releases, pulls…) built from sandbox state and git.

import type { GitCommitObject, GitPerson, GitTagObject } from './git-store.js';
import type { SandboxRepoInfo } from './reader.js';

export interface Links {
  /** API base URL, e.g. `http://127.0.0.1:4321`. */
  api: string;
}

export function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`0:${kind}${id}`).toString('base64').replace(/=+$/, '');
}

/** A stable numeric id for a login (GitHub ids are numbers; ours derive from the name so they never drift). */
export function loginId(login: string): number {
  let h = 7;
  for (const ch of login.toLowerCase()) h = (h * 31 + ch.charCodeAt(0)) % 2_000_000_000;
  return h + 1;
}

export function simpleUser(l: Links, login: string, type: 'User' | 'Organization' | 'Bot' = 'User') {
  // An App's installation acts as `slug[bot]`: GitHub escapes the brackets in its URLs.
  const path = encodeURIComponent(login);
  const url = `${l.api}/users/${path}`;
  return {
    login,
    id: loginId(login),
    node_id: nodeId(type, loginId(login)),
    avatar_url: `${l.api}/avatars/${path}`,
    gravatar_id: '',
    url,
    html_url: `${l.api}/${path}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type,
    user_view_type: 'public',
    site_admin: false,
  };
}

export function privateUser(l: Links, login: string, createdAt: string) {
  return {
    ...simpleUser(l, login),
    name: login,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: createdAt,
    updated_at: createdAt,
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
  };
}

export function minimalRepo(l: Links, r: SandboxRepoInfo) {
  const url = `${l.api}/repos/${r.owner}/${r.name}`;
  return {
    id: r.id,
    node_id: r.node_id,
    name: r.name,
    full_name: r.full_name,
    private: r.private,
    owner: simpleUser(l, r.owner, 'Organization'),
    html_url: `${l.api}/${r.full_name}`,
    description: r.description,
    fork: false,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    hooks_url: `${url}/hooks`,
    git_url: `${l.api.replace(/^http/, 'git')}/${r.full_name}.git`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    ssh_url: `git@127.0.0.1:${r.full_name}.git`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    clone_url: `${l.api}/${r.full_name}.git`,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: r.default_branch,
    open_issues_count: 0,
    is_template: false,
    topics: r.topics,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: r.archived,
    disabled: false,
    visibility: r.private ? 'private' : 'public',
    pushed_at: r.pushed_at,
    created_at: r.created_at,
    updated_at: r.updated_at,
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
    forks: 0,
    open_issues: 0,
    watchers: 0,
    mirror_url: null,
    license: null,
  };
}

export function fullRepo(l: Links, r: SandboxRepoInfo) {
  return {
    ...minimalRepo(l, r),
    svn_url: `${l.api}/${r.full_name}`,
    network_count: 0,
    subscribers_count: 0,
    organization: simpleUser(l, r.owner, 'Organization'),
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_rebase_merge: false,
    allow_auto_merge: false,
    allow_update_branch: false,
    allow_forking: true,
    use_squash_pr_title_as_default: false,
    web_commit_signoff_required: false,
    delete_branch_on_merge: false,
  };
}

/**
 * A repository as its own endpoints answer it (full-repository). `temp_clone_token` is null there; the repository
 * embedded in a pull request must not carry it null, so it stays out of `fullRepo`.
 */
export function repositoryFull(l: Links, r: SandboxRepoInfo) {
  return { ...fullRepo(l, r), temp_clone_token: null };
}

/** `GET /orgs/{org}` as an org member sees it (organization-full). */
export function fullOrg(l: Links, login: string, repos: { private: boolean }[], createdAt: string) {
  const url = `${l.api}/orgs/${login}`;
  const privateRepos = repos.filter((r) => r.private).length;
  return {
    login,
    id: loginId(login),
    node_id: nodeId('Organization', loginId(login)),
    url,
    repos_url: `${url}/repos`,
    events_url: `${url}/events`,
    hooks_url: `${url}/hooks`,
    issues_url: `${url}/issues`,
    members_url: `${url}/members{/member}`,
    public_members_url: `${url}/public_members{/member}`,
    avatar_url: `${l.api}/avatars/${login}`,
    description: null,
    is_verified: false,
    has_organization_projects: true,
    has_repository_projects: true,
    public_repos: repos.length - privateRepos,
    public_gists: 0,
    followers: 0,
    following: 0,
    html_url: `${l.api}/${login}`,
    created_at: createdAt,
    updated_at: createdAt,
    archived_at: null,
    type: 'Organization',
    total_private_repos: privateRepos,
    owned_private_repos: privateRepos,
    private_gists: 0,
    disk_usage: 0,
    collaborators: 0,
    billing_email: null,
    default_repository_permission: 'read',
    members_can_create_repositories: true,
    two_factor_requirement_enabled: false,
    members_allowed_repository_creation_type: 'all',
    members_can_create_public_repositories: true,
    members_can_create_private_repositories: true,
    members_can_create_internal_repositories: false,
    members_can_create_pages: true,
    members_can_fork_private_repositories: false,
    members_can_create_public_pages: true,
    members_can_create_private_pages: true,
    web_commit_signoff_required: false,
    plan: { name: 'team', space: 976562499, private_repos: 999999, filled_seats: 1, seats: 5 },
  };
}

function repoUrl(l: Links, owner: string, repo: string): string {
  return `${l.api}/repos/${owner}/${repo}`;
}

export function gitRef(l: Links, owner: string, repo: string, ref: string, sha: string, type: string) {
  const base = repoUrl(l, owner, repo);
  return {
    ref,
    node_id: nodeId('Ref', `${owner}/${repo}:${ref}`),
    url: `${base}/git/${ref}`,
    object: { type, sha, url: `${base}/git/${type === 'tag' ? 'tags' : 'commits'}/${sha}` },
  };
}

const UNSIGNED = { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null };

function person(p: GitPerson) {
  return { name: p.name, email: p.email, date: p.date };
}

export function gitTag(l: Links, owner: string, repo: string, t: GitTagObject) {
  const base = repoUrl(l, owner, repo);
  return {
    node_id: nodeId('Tag', t.sha),
    sha: t.sha,
    url: `${base}/git/tags/${t.sha}`,
    tag: t.tag,
    message: t.message,
    tagger: person(t.tagger),
    object: { type: t.type, sha: t.object, url: `${base}/git/${t.type === 'tag' ? 'tags' : 'commits'}/${t.object}` },
    verification: UNSIGNED,
  };
}

export function gitCommit(l: Links, owner: string, repo: string, c: GitCommitObject) {
  const base = repoUrl(l, owner, repo);
  return {
    sha: c.sha,
    node_id: nodeId('Commit', c.sha),
    url: `${base}/git/commits/${c.sha}`,
    html_url: `${l.api}/${owner}/${repo}/commit/${c.sha}`,
    author: person(c.author),
    committer: person(c.committer),
    message: c.message,
    tree: { sha: c.tree, url: `${base}/git/trees/${c.tree}` },
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${base}/git/commits/${p}`,
      html_url: `${l.api}/${owner}/${repo}/commit/${p}`,
    })),
    verification: UNSIGNED,
  };
}

export interface FileStat {
  filename: string;
  additions: number;
  deletions: number;
  status: string;
  sha: string;
}

/** The REST "commit" (GET /commits, /commits/{ref}): the git commit wrapped with GitHub's envelope. */
export function restCommit(l: Links, owner: string, repo: string, c: GitCommitObject, files?: FileStat[]) {
  const base = repoUrl(l, owner, repo);
  const out: Record<string, unknown> = {
    sha: c.sha,
    node_id: nodeId('Commit', c.sha),
    url: `${base}/commits/${c.sha}`,
    html_url: `${l.api}/${owner}/${repo}/commit/${c.sha}`,
    comments_url: `${base}/commits/${c.sha}/comments`,
    commit: {
      url: `${base}/git/commits/${c.sha}`,
      author: person(c.author),
      committer: person(c.committer),
      message: c.message.replace(/\n$/, ''),
      tree: { sha: c.tree, url: `${base}/git/trees/${c.tree}` },
      comment_count: 0,
      verification: UNSIGNED,
    },
    // GitHub maps emails to accounts; the sandbox has no accounts behind commit emails.
    author: null,
    committer: null,
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${base}/commits/${p}`,
      html_url: `${l.api}/${owner}/${repo}/commit/${p}`,
    })),
  };
  if (files) {
    const additions = files.reduce((n, f) => n + f.additions, 0);
    const deletions = files.reduce((n, f) => n + f.deletions, 0);
    out['stats'] = { additions, deletions, total: additions + deletions };
    out['files'] = files.map((f) => ({
      sha: f.sha,
      filename: f.filename,
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      changes: f.additions + f.deletions,
      blob_url: `${l.api}/${owner}/${repo}/blob/${c.sha}/${f.filename}`,
      raw_url: `${l.api}/${owner}/${repo}/raw/${c.sha}/${f.filename}`,
      contents_url: `${base}/contents/${f.filename}?ref=${c.sha}`,
    }));
  }
  return out;
}

export function repoTag(l: Links, owner: string, repo: string, name: string, commitSha: string) {
  const base = repoUrl(l, owner, repo);
  return {
    name,
    commit: { sha: commitSha, url: `${base}/commits/${commitSha}` },
    zipball_url: `${base}/zipball/refs/tags/${name}`,
    tarball_url: `${base}/tarball/refs/tags/${name}`,
    node_id: nodeId('Ref', `${owner}/${repo}:refs/tags/${name}`),
  };
}

/** A release as stored (the sandbox's own record); the API shape is derived from it. */
export interface ReleaseRecord {
  id: number;
  owner: string;
  repo: string;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  make_latest?: string;
  author: string;
  created_at: string;
  published_at: string | null;
  updated_at: string;
}

/**
 * Where `upload_url` points: GitHub serves uploads on its own origin (uploads.github.com); the sandbox serves
 * them on its one origin under this prefix, the way GitHub Enterprise Server does (`/api/uploads`).
 */
export const UPLOADS_PREFIX = '/uploads';

/** A release asset as stored; its bytes live in a file under the sandbox root, named by the asset id. */
export interface ReleaseAssetRecord {
  id: number;
  owner: string;
  repo: string;
  releaseId: number;
  name: string;
  label: string | null;
  content_type: string;
  size: number;
  /** `sha256:<hex>`, as GitHub reports it. */
  digest: string;
  uploader: string;
  created_at: string;
  updated_at: string;
}

export function releaseAsset(l: Links, a: ReleaseAssetRecord, tag: string) {
  const base = repoUrl(l, a.owner, a.repo);
  return {
    url: `${base}/releases/assets/${a.id}`,
    browser_download_url: `${l.api}/${a.owner}/${a.repo}/releases/download/${encodeURIComponent(tag)}/${encodeURIComponent(a.name)}`,
    id: a.id,
    node_id: nodeId('ReleaseAsset', a.id),
    name: a.name,
    label: a.label,
    state: 'uploaded' as const,
    content_type: a.content_type,
    size: a.size,
    digest: a.digest,
    download_count: 0,
    created_at: a.created_at,
    updated_at: a.updated_at,
    uploader: simpleUser(l, a.uploader),
  };
}

export function release(l: Links, r: ReleaseRecord, assets: readonly ReleaseAssetRecord[] = []) {
  const base = repoUrl(l, r.owner, r.repo);
  return {
    url: `${base}/releases/${r.id}`,
    html_url: `${l.api}/${r.owner}/${r.repo}/releases/tag/${encodeURIComponent(r.tag_name)}`,
    assets_url: `${base}/releases/${r.id}/assets`,
    upload_url: `${l.api}${UPLOADS_PREFIX}/repos/${r.owner}/${r.repo}/releases/${r.id}/assets{?name,label}`,
    tarball_url: `${base}/tarball/${encodeURIComponent(r.tag_name)}`,
    zipball_url: `${base}/zipball/${encodeURIComponent(r.tag_name)}`,
    id: r.id,
    node_id: nodeId('Release', r.id),
    tag_name: r.tag_name,
    target_commitish: r.target_commitish,
    name: r.name,
    body: r.body,
    draft: r.draft,
    prerelease: r.prerelease,
    immutable: false,
    created_at: r.created_at,
    updated_at: r.updated_at,
    published_at: r.published_at,
    author: simpleUser(l, r.author),
    assets: assets.map((a) => releaseAsset(l, a, r.tag_name)),
  };
}

export interface PullRecord {
  id: number;
  number: number;
  owner: string;
  repo: string;
  title: string;
  body: string | null;
  head: string;
  base: string;
  /** Commit shas at creation, refreshed on read while open. */
  head_sha: string;
  base_sha: string;
  state: 'open' | 'closed';
  merged: boolean;
  merge_commit_sha: string | null;
  merged_at: string | null;
  closed_at: string | null;
  user: string;
  merged_by: string | null;
  draft: boolean;
  created_at: string;
  updated_at: string;
}

export function pullSimple(l: Links, p: PullRecord, repo: SandboxRepoInfo) {
  const base = repoUrl(l, p.owner, p.repo);
  const html = `${l.api}/${p.owner}/${p.repo}/pull/${p.number}`;
  const issue = `${base}/issues/${p.number}`;
  const side = (label: string, ref: string, sha: string) => ({
    label: `${p.owner}:${ref}`,
    ref,
    sha,
    user: simpleUser(l, p.owner, 'Organization'),
    repo: fullRepo(l, repo),
    ...(label ? {} : {}),
  });
  return {
    url: `${base}/pulls/${p.number}`,
    id: p.id,
    node_id: nodeId('PullRequest', p.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    commits_url: `${base}/pulls/${p.number}/commits`,
    review_comments_url: `${base}/pulls/${p.number}/comments`,
    review_comment_url: `${base}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: `${base}/statuses/${p.head_sha}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: simpleUser(l, p.user),
    body: p.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: p.created_at,
    updated_at: p.updated_at,
    closed_at: p.closed_at,
    merged_at: p.merged_at,
    merge_commit_sha: p.merge_commit_sha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side('head', p.head, p.head_sha),
    base: side('base', p.base, p.base_sha),
    _links: {
      self: { href: `${base}/pulls/${p.number}` },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${base}/pulls/${p.number}/comments` },
      review_comment: { href: `${base}/pulls/comments{/number}` },
      commits: { href: `${base}/pulls/${p.number}/commits` },
      statuses: { href: `${base}/statuses/${p.head_sha}` },
    },
    author_association: 'MEMBER',
    auto_merge: null,
    draft: p.draft,
  };
}

export function pullFull(
  l: Links,
  p: PullRecord,
  repo: SandboxRepoInfo,
  stats: { commits: number; additions: number; deletions: number; files: number; mergeable: boolean | null },
) {
  return {
    ...pullSimple(l, p, repo),
    merged: p.merged,
    mergeable: p.state === 'open' ? stats.mergeable : null,
    rebaseable: false,
    mergeable_state: p.state === 'open' ? (stats.mergeable ? 'clean' : 'dirty') : 'unknown',
    merged_by: p.merged_by ? simpleUser(l, p.merged_by) : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: stats.commits,
    additions: stats.additions,
    deletions: stats.deletions,
    changed_files: stats.files,
  };
}

export interface StatusRecord {
  id: number;
  owner: string;
  repo: string;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  target_url: string | null;
  description: string | null;
  context: string;
  creator: string;
  created_at: string;
  updated_at: string;
}

export function status(l: Links, s: StatusRecord) {
  return {
    url: `${repoUrl(l, s.owner, s.repo)}/statuses/${s.sha}`,
    avatar_url: null,
    id: s.id,
    node_id: nodeId('StatusContext', s.id),
    state: s.state,
    description: s.description,
    target_url: s.target_url,
    context: s.context,
    created_at: s.created_at,
    updated_at: s.updated_at,
    creator: simpleUser(l, s.creator),
  };
}

export interface CheckRunRecord {
  id: number;
  owner: string;
  repo: string;
  head_sha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  details_url: string | null;
  external_id: string | null;
  started_at: string;
  completed_at: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
}

export function checkRun(l: Links, c: CheckRunRecord) {
  const base = repoUrl(l, c.owner, c.repo);
  return {
    id: c.id,
    head_sha: c.head_sha,
    node_id: nodeId('CheckRun', c.id),
    external_id: c.external_id,
    url: `${base}/check-runs/${c.id}`,
    html_url: `${l.api}/${c.owner}/${c.repo}/runs/${c.id}`,
    details_url: c.details_url,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.started_at,
    completed_at: c.completed_at,
    output: { ...c.output, annotations_count: 0, annotations_url: `${base}/check-runs/${c.id}/annotations` },
    name: c.name,
    check_suite: { id: c.id },
    app: null,
    pull_requests: [],
  };
}

export interface HookRecord {
  id: number;
  owner: string;
  /** Empty for organization hooks. */
  repo: string;
  name: 'web';
  active: boolean;
  events: string[];
  config: { url: string; content_type: string; secret?: string; insecure_ssl: string };
  created_at: string;
  updated_at: string;
}

export function hook(l: Links, h: HookRecord) {
  const base = h.repo ? `${repoUrl(l, h.owner, h.repo)}/hooks/${h.id}` : `${l.api}/orgs/${h.owner}/hooks/${h.id}`;
  return {
    type: h.repo ? 'Repository' : 'Organization',
    id: h.id,
    name: h.name,
    active: h.active,
    events: h.events,
    // GitHub never returns the secret, only that one is set.
    config: {
      url: h.config.url,
      content_type: h.config.content_type,
      insecure_ssl: h.config.insecure_ssl,
      ...(h.config.secret ? { secret: '********' } : {}),
    },
    updated_at: h.updated_at,
    created_at: h.created_at,
    url: base,
    test_url: `${base}/test`,
    ping_url: `${base}/pings`,
    deliveries_url: `${base}/deliveries`,
    last_response: { code: null, status: 'unused', message: null },
  };
}
