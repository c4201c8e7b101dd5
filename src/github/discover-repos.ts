// Discovers an org's repositories with their default-branch head and release tags in one GraphQL query per 50 repos.

import { CONFIG_FILE_NAMES } from '../config/load-config.js';
import { CutterError } from '../core/errors.js';
import { pickLatestTag } from '../core/tag-format.js';
import type { GitHubClient } from './client.js';

/** A release tag as the fleet sees it: the tag, its version, and the commit it peels to. */
export interface FleetTag {
  tag: string;
  version: string;
  commit: string;
}

export interface DiscoveredRepo {
  name: string;
  archived: boolean;
  topics: string[];
  /** Default branch name and head commit; null for an empty repository. */
  branch: string | null;
  head: string | null;
  tagCount: number;
  /** The highest release tag (SemVer order) among the tags read so far; null when none follows the format. */
  latest: FleetTag | null;
  /** Cursor of the next page of tags when the repo has more than one page (read by `completeTags`). */
  moreTagsAfter?: string;
  /**
   * The repo's config file at its default-branch head, read in the same query: null when it has none, absent when
   * unknown (a truncated blob), so its release task reads the file itself.
   */
  config?: RepoConfigFile | null;
  /** The tag format this repo's latest tag was picked with (its own config's, else the request's). */
  tagFormat?: string;
}

/** A config file as discovery read it: its name and text. */
export interface RepoConfigFile {
  file: string;
  text: string;
}

export interface GraphQLSpend {
  queries: number;
  cost: number;
  remaining: number | null;
  resetAt: string | null;
}

export interface DiscoverOptions {
  org: string;
  /** Tag template the latest tag is picked with (default `v{version}`). */
  tagFormat?: string;
  /** Repositories per query (GitHub allows 100; 50 keeps node counts and response sizes moderate). */
  pageSize?: number;
  /** Told after every page (progress output). */
  onPage?: (found: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * The tag format of one repository given its config file (null: none); undefined keeps `tagFormat`. Lets each
   * repo's own `.cutter.yml` decide which tags are its releases.
   */
  tagFormatFor?: (repo: string, config: RepoConfigFile | null) => string | undefined | Promise<string | undefined>;
  /** Longest wait for the GraphQL budget to reset before giving up with a transient error (default 60 s). */
  maxBudgetWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const TAG_PAGE = 100;
/** Repos whose remaining tags are read per follow-up query (aliases): keeps a query's node count small. */
const TAG_BATCH = 20;

const TAG_FIELDS = `
  totalCount
  pageInfo { hasNextPage endCursor }
  nodes { name target { oid ... on Tag { target { oid ... on Tag { target { oid } } } } } }`;

/** `HEAD:<file>` is the default branch's head, the commit `defaultBranchRef` reports in the same query. */
const CONFIG_FIELDS = CONFIG_FILE_NAMES.map(
  (file, i) => `config${i}: object(expression: ${JSON.stringify(`HEAD:${file}`)}) { ... on Blob { text isTruncated } }`,
).join('\n        ');

/** One page of the org's repositories with heads, config files and tags (also timed by bench/sandbox-discovery.ts). */
export const REPOS_QUERY = `
query FleetRepos($org: String!, $first: Int!, $after: String) {
  rateLimit { cost remaining resetAt }
  organization(login: $org) {
    repositories(first: $first, after: $after, orderBy: { field: NAME, direction: ASC }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        name
        isArchived
        repositoryTopics(first: 20) { nodes { topic { name } } }
        defaultBranchRef { name target { oid } }
        ${CONFIG_FIELDS}
        refs(refPrefix: "refs/tags/", first: ${TAG_PAGE}, orderBy: { field: TAG_COMMIT_DATE, direction: DESC }) {${TAG_FIELDS}
        }
      }
    }
  }
}`;

interface TargetNode {
  oid: string;
  target?: TargetNode;
}
interface RefsNode {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Array<{ name: string; target: TargetNode | null } | null>;
}
interface RepoNode {
  name: string;
  isArchived: boolean;
  repositoryTopics: { nodes: Array<{ topic: { name: string } } | null> };
  defaultBranchRef: { name: string; target: { oid: string } | null } | null;
  refs: RefsNode | null;
  [configAlias: `config${number}`]: { text?: string | null; isTruncated?: boolean } | null | undefined;
}
interface RateLimitNode {
  cost: number;
  remaining: number;
  resetAt: string;
}

/** Annotated tags point at a tag object; follow it (and a tag of a tag) to the commit. */
function peel(target: TargetNode | null): string | null {
  let t = target;
  while (t?.target) t = t.target;
  return t?.oid ?? null;
}

/** The best of the current pick and one more page of tags (SemVer order, never date or name order). */
function pickFromPage(current: FleetTag | null, refs: RefsNode, tagFormat: string): FleetTag | null {
  const commits = new Map<string, string>();
  for (const node of refs.nodes) {
    const commit = node ? peel(node.target) : null;
    if (node && commit) commits.set(node.name, commit);
  }
  if (current) commits.set(current.tag, current.commit);
  const picked = pickLatestTag([...commits.keys()], tagFormat);
  if (!picked) return null;
  return { tag: picked.tag, version: picked.version, commit: commits.get(picked.tag)! };
}

function configFileOf(node: RepoNode): RepoConfigFile | null | undefined {
  // The first file that exists wins, as in loadConfig; one we cannot read whole is left to the release task.
  for (const [i, file] of CONFIG_FILE_NAMES.entries()) {
    const blob = node[`config${i}`];
    if (!blob) continue;
    if (blob.isTruncated || typeof blob.text !== 'string') return undefined;
    return { file, text: blob.text };
  }
  return null;
}

async function budgetGate(spend: GraphQLSpend, lastCost: number, opts: DiscoverOptions): Promise<void> {
  if (spend.remaining === null || spend.remaining >= Math.max(1, lastCost) || !spend.resetAt) return;
  const waitMs = Math.max(0, Date.parse(spend.resetAt) - Date.now());
  if (waitMs > (opts.maxBudgetWaitMs ?? 60_000)) {
    throw new CutterError('CUTTER_TRANSIENT', `GraphQL budget spent (${spend.remaining} points left)`, {
      hint: `it resets at ${spend.resetAt}; the run resumes then`,
      transient: true,
    });
  }
  await (opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(waitMs);
}

function noteSpend(spend: GraphQLSpend, rate: RateLimitNode | null | undefined): number {
  spend.queries++;
  if (!rate) return 1;
  spend.cost += rate.cost;
  spend.remaining = rate.remaining;
  spend.resetAt = rate.resetAt;
  return rate.cost;
}

/** Every repository of the org, 50 per query, each with its default-branch head and the first 100 tags' pick. */
export async function discoverRepos(
  gh: GitHubClient,
  opts: DiscoverOptions,
): Promise<{ repos: DiscoveredRepo[]; spend: GraphQLSpend }> {
  const tagFormat = opts.tagFormat ?? 'v{version}';
  const first = Math.min(100, Math.max(1, opts.pageSize ?? 50));
  const spend: GraphQLSpend = { queries: 0, cost: 0, remaining: null, resetAt: null };
  const repos: DiscoveredRepo[] = [];
  let after: string | null = null;
  let lastCost = 1;
  for (;;) {
    opts.signal?.throwIfAborted();
    await budgetGate(spend, lastCost, opts);
    const data: {
      rateLimit: RateLimitNode | null;
      organization: {
        repositories: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
          nodes: Array<RepoNode | null>;
        };
      } | null;
    } = await gh.graphql(REPOS_QUERY, { org: opts.org, first, after });
    lastCost = noteSpend(spend, data.rateLimit);
    if (!data.organization) {
      throw new CutterError('CUTTER_NOT_FOUND', `organization ${opts.org} not found or not visible to this token`, {
        hint: 'check --org and that the token can read the organization',
      });
    }
    const page = data.organization.repositories;
    for (const node of page.nodes) {
      if (!node) continue;
      const refs = node.refs;
      const config = configFileOf(node);
      const format = (config !== undefined ? await opts.tagFormatFor?.(node.name, config) : undefined) ?? tagFormat;
      const repo: DiscoveredRepo = {
        name: node.name,
        archived: node.isArchived,
        topics: node.repositoryTopics.nodes.flatMap((t) => (t ? [t.topic.name] : [])),
        branch: node.defaultBranchRef?.name ?? null,
        head: node.defaultBranchRef?.target?.oid ?? null,
        tagCount: refs?.totalCount ?? 0,
        latest: refs ? pickFromPage(null, refs, format) : null,
        ...(config !== undefined ? { config } : {}),
        ...(format !== tagFormat ? { tagFormat: format } : {}),
      };
      if (refs?.pageInfo.hasNextPage && refs.pageInfo.endCursor) repo.moreTagsAfter = refs.pageInfo.endCursor;
      repos.push(repo);
    }
    opts.onPage?.(repos.length, page.totalCount);
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
    after = page.pageInfo.endCursor;
  }
  return { repos, spend };
}

/**
 * Reads the remaining tag pages of repos with more than 100 tags, 20 repos per query as aliases, and updates
 * each one's `latest`. Returns the repos with `moreTagsAfter` cleared.
 */
export async function completeTags(
  gh: GitHubClient,
  repos: DiscoveredRepo[],
  opts: DiscoverOptions,
  spend: GraphQLSpend = { queries: 0, cost: 0, remaining: null, resetAt: null },
): Promise<{ repos: DiscoveredRepo[]; spend: GraphQLSpend }> {
  const tagFormat = opts.tagFormat ?? 'v{version}';
  const out = repos.map((r) => ({ ...r }));
  let lastCost = 1;
  for (;;) {
    const open = out.filter((r) => r.moreTagsAfter);
    if (open.length === 0) break;
    for (let i = 0; i < open.length; i += TAG_BATCH) {
      opts.signal?.throwIfAborted();
      await budgetGate(spend, lastCost, opts);
      const batch = open.slice(i, i + TAG_BATCH);
      const vars: Record<string, unknown> = { org: opts.org };
      const defs = ['$org: String!'];
      const fields = batch.map((r, n) => {
        vars[`name${n}`] = r.name;
        vars[`after${n}`] = r.moreTagsAfter;
        defs.push(`$name${n}: String!`, `$after${n}: String`);
        return `r${n}: repository(owner: $org, name: $name${n}) {
          refs(refPrefix: "refs/tags/", first: ${TAG_PAGE}, after: $after${n}, orderBy: { field: TAG_COMMIT_DATE, direction: DESC }) {${TAG_FIELDS}
          }
        }`;
      });
      const query = `query FleetMoreTags(${defs.join(', ')}) {\n  rateLimit { cost remaining resetAt }\n  ${fields.join('\n  ')}\n}`;
      const data = (await gh.graphql(query, vars)) as Record<string, unknown>;
      lastCost = noteSpend(spend, data['rateLimit'] as RateLimitNode | null);
      batch.forEach((repo, n) => {
        const refs = (data[`r${n}`] as { refs: RefsNode | null } | null)?.refs ?? null;
        if (refs) repo.latest = pickFromPage(repo.latest, refs, repo.tagFormat ?? tagFormat);
        if (refs?.pageInfo.hasNextPage && refs.pageInfo.endCursor) repo.moreTagsAfter = refs.pageInfo.endCursor;
        else delete repo.moreTagsAfter;
      });
    }
  }
  return { repos: out, spend };
}
