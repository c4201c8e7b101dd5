// The sandbox GraphQL endpoint: a faithful subset of GitHub's schema, cost, limits and error shapes over a SandboxReader.

import {
  buildSchema,
  type DocumentNode,
  execute,
  type FieldNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isInterfaceType,
  isObjectType,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  validate,
} from 'graphql';
import type { ReadyPull } from './pull-ready.js';
import type { SandboxRateLimit, SandboxReader, SandboxRef, SandboxRepoInfo } from './reader.js';

/** Type and field names, arguments and nullability as in GitHub's public schema (the parts Cutter reads). */
const SDL = /* GraphQL */ `
  scalar DateTime
  scalar GitObjectID
  scalar URI

  type Query {
    organization(login: String!): Organization
    repository(owner: String!, name: String!, followRenames: Boolean = true): Repository
    rateLimit(dryRun: Boolean = false): RateLimit
    viewer: User!
  }

  type User {
    id: ID!
    login: String!
  }

  type Mutation {
    markPullRequestReadyForReview(input: MarkPullRequestReadyForReviewInput!): MarkPullRequestReadyForReviewPayload
  }

  input MarkPullRequestReadyForReviewInput {
    pullRequestId: ID!
    clientMutationId: String
  }

  type MarkPullRequestReadyForReviewPayload {
    clientMutationId: String
    pullRequest: PullRequest
  }

  type PullRequest {
    id: ID!
    number: Int!
    isDraft: Boolean!
    url: URI!
  }

  type RateLimit {
    cost: Int!
    limit: Int!
    nodeCount: Int!
    remaining: Int!
    resetAt: DateTime!
    used: Int!
  }

  type Organization {
    id: ID!
    login: String!
    repositories(
      first: Int
      after: String
      last: Int
      before: String
      orderBy: RepositoryOrder
      isArchived: Boolean
      isFork: Boolean
      privacy: RepositoryPrivacy
    ): RepositoryConnection!
    repository(name: String!, followRenames: Boolean = true): Repository
  }

  enum RepositoryPrivacy {
    PRIVATE
    PUBLIC
  }

  input RepositoryOrder {
    field: RepositoryOrderField!
    direction: OrderDirection!
  }

  enum RepositoryOrderField {
    CREATED_AT
    NAME
    PUSHED_AT
    STARGAZERS
    UPDATED_AT
  }

  enum OrderDirection {
    ASC
    DESC
  }

  type PageInfo {
    endCursor: String
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
  }

  type RepositoryConnection {
    edges: [RepositoryEdge]
    nodes: [Repository]
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type RepositoryEdge {
    cursor: String!
    node: Repository
  }

  type RepositoryOwner {
    id: ID!
    login: String!
  }

  type Repository {
    id: ID!
    databaseId: Int
    name: String!
    nameWithOwner: String!
    owner: RepositoryOwner!
    description: String
    isArchived: Boolean!
    isPrivate: Boolean!
    url: URI!
    createdAt: DateTime!
    updatedAt: DateTime!
    pushedAt: DateTime
    repositoryTopics(first: Int, after: String, last: Int, before: String): RepositoryTopicConnection!
    defaultBranchRef: Ref
    ref(qualifiedName: String!): Ref
    object(expression: String, oid: GitObjectID): GitObject
    refs(
      refPrefix: String!
      first: Int
      after: String
      last: Int
      before: String
      query: String
      direction: OrderDirection
      orderBy: RefOrder
    ): RefConnection
  }

  type RepositoryTopicConnection {
    nodes: [RepositoryTopic]
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type RepositoryTopic {
    id: ID!
    topic: Topic!
  }

  type Topic {
    id: ID!
    name: String!
  }

  input RefOrder {
    field: RefOrderField!
    direction: OrderDirection!
  }

  enum RefOrderField {
    ALPHABETICAL
    TAG_COMMIT_DATE
  }

  type RefConnection {
    edges: [RefEdge]
    nodes: [Ref]
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type RefEdge {
    cursor: String!
    node: Ref
  }

  type Ref {
    id: ID!
    name: String!
    prefix: String!
    target: GitObject
  }

  interface GitObject {
    id: ID!
    oid: GitObjectID!
    abbreviatedOid: String!
  }

  type Commit implements GitObject {
    id: ID!
    oid: GitObjectID!
    abbreviatedOid: String!
    committedDate: DateTime!
  }

  type Blob implements GitObject {
    id: ID!
    oid: GitObjectID!
    abbreviatedOid: String!
    byteSize: Int!
    isBinary: Boolean
    isTruncated: Boolean!
    text: String
  }

  type Tree implements GitObject {
    id: ID!
    oid: GitObjectID!
    abbreviatedOid: String!
  }

  type Tag implements GitObject {
    id: ID!
    oid: GitObjectID!
    abbreviatedOid: String!
    name: String!
    target: GitObject!
  }
`;

/** GitHub's published limits: page sizes, and nodes one query may ask for. */
export const GRAPHQL_LIMITS = { maxPageSize: 100, maxNodes: 500_000 } as const;

export interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  token: string;
}

export interface GraphQLResponse {
  status: number;
  body: unknown;
  /** Points charged to the token's GraphQL budget (0 when the request never ran). */
  cost: number;
}

export interface GraphQLHandlerOptions {
  /** Base of `url` fields. */
  webBaseUrl?: string;
  /** The one write the sandbox's GraphQL serves: "Ready for review" on a draft pull request (by database id). */
  markPullReady?: (token: string, login: string, pullId: number) => Promise<ReadyPull | null>;
}

interface GitHubError {
  type?: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  message: string;
}

/** Per-request state: the token, memoised git reads, and the numbers `rateLimit` reports. */
interface Context {
  reader: SandboxReader;
  token: string;
  login: string;
  webBaseUrl: string;
  cost: number;
  nodeCount: number;
  charged: SandboxRateLimit;
  memo: Map<string, Promise<unknown>>;
  markPullReady: GraphQLHandlerOptions['markPullReady'];
}

const schema: GraphQLSchema = buildSchema(SDL);

export function createGraphQLHandler(
  reader: SandboxReader,
  options: GraphQLHandlerOptions = {},
): (req: GraphQLRequest) => Promise<GraphQLResponse> {
  const webBaseUrl = options.webBaseUrl ?? 'https://github.com';
  return async (req) => {
    const login = req.token ? await reader.viewerLogin(req.token) : null;
    if (!login) {
      return {
        status: 401,
        body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/graphql' },
        cost: 0,
      };
    }
    if (typeof req.query !== 'string' || req.query.trim() === '') {
      return fail(400, [{ message: 'A query attribute must be specified and must be a string.' }]);
    }
    let document: DocumentNode;
    try {
      document = parse(req.query);
    } catch (err) {
      return fail(200, [githubError(err as GraphQLError, 'PARSE_ERROR')]);
    }
    const invalid = validate(schema, document);
    if (invalid.length > 0)
      return fail(
        200,
        invalid.map((e) => githubError(e)),
      );

    const operation = pickOperation(document, req.operationName);
    if (!operation) return fail(200, [{ message: 'An operation name is required when a document has several.' }]);
    const mutation = operation.operation === 'mutation' && options.markPullReady !== undefined;
    if (operation.operation !== 'query' && !mutation) {
      return fail(200, [
        { type: 'NOT_SUPPORTED', message: `The sandbox serves queries only, not ${operation.operation}s.` },
      ]);
    }
    const vars = getVariableValues(schema, operation.variableDefinitions ?? [], req.variables ?? {});
    if (vars.errors)
      return fail(
        200,
        vars.errors.map((e) => githubError(e)),
      );

    // GitHub checks pagination and computes cost before it resolves a single field.
    const budget = measure(document, operation, vars.coerced);
    if (budget.errors.length > 0) return fail(200, budget.errors);
    if (budget.nodeCount > GRAPHQL_LIMITS.maxNodes) {
      return fail(200, [
        {
          type: 'MAX_NODE_LIMIT_EXCEEDED',
          message: `This query requests up to ${budget.nodeCount.toLocaleString('en-US')} possible nodes which exceeds the maximum limit of ${GRAPHQL_LIMITS.maxNodes.toLocaleString('en-US')}.`,
        },
      ]);
    }
    const before = reader.rateLimit(req.token);
    if (before.remaining < budget.cost) {
      return fail(200, [{ type: 'RATE_LIMITED', message: `API rate limit exceeded for ${login}.` }]);
    }
    const charged = budget.dryRun ? before : reader.chargeGraphQL(req.token, budget.cost);
    const context: Context = {
      reader,
      token: req.token,
      login,
      webBaseUrl,
      cost: budget.cost,
      nodeCount: budget.nodeCount,
      charged,
      memo: new Map(),
      markPullReady: options.markPullReady,
    };
    const result = await execute({
      schema,
      document,
      operationName: req.operationName,
      rootValue: mutation ? new MutationRoot() : new QueryRoot(),
      contextValue: context,
      variableValues: req.variables ?? {},
    });
    const body: { data: unknown; errors?: GitHubError[] } = { data: result.data ?? null };
    if (result.errors && result.errors.length > 0) body.errors = result.errors.map((e) => githubError(e));
    return { status: 200, body, cost: budget.dryRun ? 0 : budget.cost };
  };
}

function fail(status: number, errors: GitHubError[]): GraphQLResponse {
  return { status, body: { errors }, cost: 0 };
}

function githubError(err: GraphQLError, fallbackType?: string): GitHubError {
  const type = (err.extensions?.['type'] as string | undefined) ?? fallbackType;
  const out: GitHubError = { message: err.message };
  if (type) out.type = type;
  if (err.path) out.path = err.path;
  if (err.locations) out.locations = err.locations.map(({ line, column }) => ({ line, column }));
  return out;
}

function pickOperation(document: DocumentNode, name: string | undefined): OperationDefinitionNode | undefined {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  if (name) return ops.find((o) => o.name?.value === name);
  return ops.length === 1 ? ops[0] : undefined;
}

/**
 * GitHub's cost model: every connection is fetched once per node of the connections above it, assuming each
 * page is full; cost = those requests / 100, rounded, at least 1. Node count = the full pages, multiplied out.
 */
function measure(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): { cost: number; nodeCount: number; dryRun: boolean; errors: GitHubError[] } {
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === 'FragmentDefinition' ? [[d.name.value, d] as const] : [])),
  );
  let requests = 0;
  let nodeCount = 0;
  let dryRun = false;
  const errors: GitHubError[] = [];
  const walk = (set: SelectionSetNode, parent: GraphQLObjectType | null, multiplier: number, path: string[]) => {
    for (const selection of set.selections) {
      if (selection.kind === 'InlineFragment') {
        const cond = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        walk(selection.selectionSet, isObjectType(cond) ? cond : parent, multiplier, path);
        continue;
      }
      if (selection.kind === 'FragmentSpread') {
        const fragment = fragments.get(selection.name.value);
        const cond = fragment ? schema.getType(fragment.typeCondition.name.value) : null;
        if (fragment) walk(fragment.selectionSet, isObjectType(cond) ? cond : parent, multiplier, path);
        continue;
      }
      const field = fieldOf(parent, selection);
      if (!field) continue;
      const key = selection.alias?.value ?? selection.name.value;
      const args = getArgumentValues(field, selection, variables);
      if (selection.name.value === 'rateLimit' && args['dryRun'] === true) dryRun = true;
      const named = getNamedType(field.type);
      let childMultiplier = multiplier;
      if (named.name.endsWith('Connection')) {
        const size = pageSize(args, selection, [...path, key], errors);
        requests += multiplier;
        childMultiplier = multiplier * size;
        nodeCount += childMultiplier;
      }
      if (selection.selectionSet) {
        const next = isObjectType(named) ? named : isInterfaceType(named) ? concreteFor(named.name) : null;
        walk(selection.selectionSet, next, childMultiplier, [...path, key]);
      }
    }
  };
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  walk(operation.selectionSet, root ?? null, 1, []);
  return { cost: Math.max(1, Math.round(requests / 100)), nodeCount, dryRun, errors };
}

/** Interfaces are walked through their one implementation that has fields worth counting (Tag → target). */
function concreteFor(name: string): GraphQLObjectType | null {
  const type = schema.getType(name === 'GitObject' ? 'Tag' : name);
  return isObjectType(type) ? type : null;
}

function fieldOf(parent: GraphQLObjectType | null, node: FieldNode): GraphQLField<unknown, unknown> | undefined {
  if (!parent) return undefined;
  return parent.getFields()[node.name.value];
}

function pageSize(args: Record<string, unknown>, node: FieldNode, path: string[], errors: GitHubError[]): number {
  const first = (args['first'] as number | null | undefined) ?? undefined;
  const last = (args['last'] as number | null | undefined) ?? undefined;
  const where = { path, locations: node.loc ? [locationOf(node)] : [] };
  if (first === undefined && last === undefined) {
    errors.push({
      type: 'MISSING_PAGINATION_BOUNDARIES',
      ...where,
      message: `You must provide a \`first\` or \`last\` value to properly paginate the \`${node.name.value}\` connection.`,
    });
    return 0;
  }
  for (const [arg, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (value === undefined) continue;
    if (value > GRAPHQL_LIMITS.maxPageSize) {
      errors.push({
        type: 'EXCESSIVE_PAGINATION',
        ...where,
        message: `Requesting ${value} records on the \`${node.name.value}\` connection exceeds the \`${arg}\` limit of ${GRAPHQL_LIMITS.maxPageSize} records.`,
      });
    } else if (value < 1) {
      errors.push({
        type: 'INVALID_ARGUMENTS',
        ...where,
        message: `\`${arg}\` on the \`${node.name.value}\` connection must be between 1 and ${GRAPHQL_LIMITS.maxPageSize}.`,
      });
    }
  }
  return Math.min(GRAPHQL_LIMITS.maxPageSize, Math.max(0, first ?? last ?? 0));
}

function locationOf(node: FieldNode): { line: number; column: number } {
  const loc = node.loc!;
  const before = loc.source.body.slice(0, loc.start);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

// ─── resolvers: objects whose methods graphql-js calls with (args, context) ───

class QueryRoot {
  async organization(args: { login: string }, ctx: Context): Promise<OrganizationNode> {
    const { reader } = ctx;
    if (!(await reader.orgExists(args.login)) || !(await reader.canAccess(ctx.token, args.login))) {
      throw notFound(`Could not resolve to an Organization with the login of '${args.login}'.`);
    }
    return new OrganizationNode(args.login);
  }

  async repository(args: { owner: string; name: string }, ctx: Context): Promise<RepositoryNode> {
    const repo = (await ctx.reader.canAccess(ctx.token, args.owner))
      ? await ctx.reader.getRepo(args.owner, args.name)
      : null;
    if (!repo) throw notFound(`Could not resolve to a Repository with the name '${args.owner}/${args.name}'.`);
    return new RepositoryNode(repo);
  }

  rateLimit(_args: unknown, ctx: Context) {
    return {
      cost: ctx.cost,
      limit: ctx.charged.limit,
      nodeCount: ctx.nodeCount,
      remaining: ctx.charged.remaining,
      resetAt: ctx.charged.resetAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      used: ctx.charged.used,
    };
  }

  viewer(_args: unknown, ctx: Context) {
    return { id: nodeId('User', ctx.login), login: ctx.login };
  }
}

class MutationRoot {
  async markPullRequestReadyForReview(
    args: { input: { pullRequestId: string; clientMutationId?: string | null } },
    ctx: Context,
  ) {
    const { pullRequestId, clientMutationId } = args.input;
    const id = /^0:PullRequest(\d+)$/.exec(Buffer.from(pullRequestId, 'base64').toString('utf8'))?.[1];
    const pull = id && ctx.markPullReady ? await ctx.markPullReady(ctx.token, ctx.login, Number(id)) : null;
    if (!pull) throw notFound(`Could not resolve to a node with the global id of '${pullRequestId}'`);
    return {
      clientMutationId: clientMutationId ?? null,
      pullRequest: {
        id: pullRequestId,
        number: pull.number,
        isDraft: pull.isDraft,
        url: `${ctx.webBaseUrl}/${pull.owner}/${pull.repo}/pull/${pull.number}`,
      },
    };
  }
}

function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { type: 'NOT_FOUND' } });
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Cursors are opaque to clients, as on GitHub: base64 of a position that only this server reads back. */
function encodeCursor(index: number): string {
  return Buffer.from(`cursor:v2:${index}`).toString('base64');
}

function decodeCursor(cursor: string): number {
  const match = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!match) {
    throw new GraphQLError(`\`${cursor}\` does not appear to be a valid cursor.`, {
      extensions: { type: 'INVALID_CURSOR_ARGUMENTS' },
    });
  }
  return Number(match[1]);
}

/** One page of an ordered list, with GitHub's connection shape. */
function connection<T, N>(items: T[], args: PageArgs, toNode: (item: T) => N) {
  // Explicit nulls (a `$after: String` variable left null on the first page) mean "not given", as on GitHub.
  let start = args.after != null ? decodeCursor(args.after) + 1 : 0;
  let end = args.before != null ? decodeCursor(args.before) : items.length;
  end = Math.min(end, items.length);
  start = Math.min(start, end);
  if (args.first != null) end = Math.min(end, start + args.first);
  if (args.last != null) start = Math.max(start, end - args.last);
  const page = items.slice(start, end);
  const edges = page.map((item, i) => ({ cursor: encodeCursor(start + i), node: toNode(item) }));
  return {
    totalCount: items.length,
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

type Direction = 'ASC' | 'DESC';

function compareBy<T>(key: (item: T) => string | number, direction: Direction): (a: T, b: T) => number {
  const sign = direction === 'DESC' ? -1 : 1;
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -sign : x > y ? sign : 0;
  };
}

class OrganizationNode {
  readonly id: string;
  constructor(readonly login: string) {
    this.id = nodeId('Organization', login);
  }

  async repositories(
    args: PageArgs & {
      orderBy?: { field: string; direction: Direction };
      isArchived?: boolean;
      isFork?: boolean;
      privacy?: 'PUBLIC' | 'PRIVATE';
    },
    ctx: Context,
  ) {
    let repos = await ctx.reader.listRepos(this.login);
    if (args.isArchived !== undefined) repos = repos.filter((r) => r.archived === args.isArchived);
    if (args.isFork === true) repos = [];
    if (args.privacy) repos = repos.filter((r) => r.private === (args.privacy === 'PRIVATE'));
    const order = args.orderBy ?? { field: 'CREATED_AT', direction: 'ASC' };
    const keys: Record<string, (r: SandboxRepoInfo) => string | number> = {
      CREATED_AT: (r) => r.created_at,
      UPDATED_AT: (r) => r.updated_at,
      PUSHED_AT: (r) => r.pushed_at,
      NAME: (r) => r.name.toLowerCase(),
      STARGAZERS: () => 0,
    };
    // Ties break by id so pages never overlap or skip when many repos share a timestamp.
    const primary = compareBy(keys[order.field] ?? keys['CREATED_AT']!, order.direction);
    const sorted = [...repos].sort((a, b) => primary(a, b) || a.id - b.id);
    return connection(sorted, args, (r) => new RepositoryNode(r));
  }

  async repository(args: { name: string }, ctx: Context) {
    const repo = await ctx.reader.getRepo(this.login, args.name);
    return repo ? new RepositoryNode(repo) : null;
  }
}

type GitObjectValue = CommitNode | TagNode;

/** GitHub's Blob: `text` is null for binary content (a NUL byte, as git decides) and cut at 512 KiB. */
const BLOB_TEXT_LIMIT = 512 * 1024;

class BlobNode {
  readonly __typename = 'Blob';
  readonly id: string;
  readonly abbreviatedOid: string;
  readonly byteSize: number;
  readonly isBinary: boolean;
  readonly isTruncated: boolean;
  readonly text: string | null;
  constructor(
    repo: SandboxRepoInfo,
    readonly oid: string,
    content: Buffer,
  ) {
    this.id = nodeId('Blob', `${repo.full_name}:${oid}`);
    this.abbreviatedOid = oid.slice(0, 7);
    this.byteSize = content.length;
    this.isBinary = content.subarray(0, 8000).includes(0);
    this.isTruncated = !this.isBinary && content.length > BLOB_TEXT_LIMIT;
    this.text = this.isBinary ? null : content.subarray(0, BLOB_TEXT_LIMIT).toString('utf8');
  }
}

class TreeNode {
  readonly __typename = 'Tree';
  readonly id: string;
  readonly abbreviatedOid: string;
  constructor(
    repo: SandboxRepoInfo,
    readonly oid: string,
  ) {
    this.id = nodeId('Tree', `${repo.full_name}:${oid}`);
    this.abbreviatedOid = oid.slice(0, 7);
  }
}

class CommitNode {
  readonly __typename = 'Commit';
  readonly id: string;
  readonly abbreviatedOid: string;
  constructor(
    private readonly repo: SandboxRepoInfo,
    readonly oid: string,
    private readonly knownDate?: string,
  ) {
    this.id = nodeId('Commit', `${repo.full_name}:${oid}`);
    this.abbreviatedOid = oid.slice(0, 7);
  }

  async committedDate(_args: unknown, ctx: Context): Promise<string> {
    const date =
      this.knownDate ??
      (await memo(ctx, `date:${this.repo.full_name}:${this.oid}`, () =>
        ctx.reader.commitDate(this.repo.owner, this.repo.name, this.oid),
      ));
    if (!date) throw new GraphQLError(`Could not read commit ${this.oid}.`, { extensions: { type: 'NOT_FOUND' } });
    return isoSeconds(date);
  }
}

class TagNode {
  readonly __typename = 'Tag';
  readonly id: string;
  readonly abbreviatedOid: string;
  readonly oid: string;
  readonly name: string;
  readonly target: CommitNode;
  constructor(repo: SandboxRepoInfo, ref: SandboxRef, name: string) {
    this.oid = ref.oid;
    this.name = name;
    this.id = nodeId('Tag', `${repo.full_name}:${ref.oid}`);
    this.abbreviatedOid = ref.oid.slice(0, 7);
    this.target = new CommitNode(repo, ref.commitOid, ref.committedDate);
  }
}

class RefNode {
  readonly id: string;
  readonly name: string;
  readonly target: GitObjectValue;
  constructor(
    repo: SandboxRepoInfo,
    readonly prefix: string,
    ref: SandboxRef,
  ) {
    this.name = ref.name.slice(prefix.length);
    this.id = nodeId('Ref', `${repo.full_name}:${ref.name}`);
    this.target =
      ref.type === 'tag' ? new TagNode(repo, ref, this.name) : new CommitNode(repo, ref.oid, ref.committedDate);
  }
}

class RepositoryNode {
  constructor(private readonly repo: SandboxRepoInfo) {}
  get id() {
    return this.repo.node_id;
  }
  get databaseId() {
    return this.repo.id;
  }
  get name() {
    return this.repo.name;
  }
  get nameWithOwner() {
    return this.repo.full_name;
  }
  get owner() {
    return { id: nodeId('Organization', this.repo.owner), login: this.repo.owner };
  }
  get description() {
    return this.repo.description;
  }
  get isArchived() {
    return this.repo.archived;
  }
  get isPrivate() {
    return this.repo.private;
  }
  get createdAt() {
    return this.repo.created_at;
  }
  get updatedAt() {
    return this.repo.updated_at;
  }
  get pushedAt() {
    return this.repo.pushed_at;
  }
  url(_args: unknown, ctx: Context) {
    return `${ctx.webBaseUrl}/${this.repo.full_name}`;
  }

  repositoryTopics(args: PageArgs) {
    return connection(this.repo.topics, args, (name) => ({
      id: nodeId('RepositoryTopic', `${this.repo.full_name}:${name}`),
      topic: { id: nodeId('Topic', name), name },
    }));
  }

  async defaultBranchRef(_args: unknown, ctx: Context) {
    const branch = this.repo.default_branch;
    const oid = await ctx.reader.headOid(this.repo.owner, this.repo.name, branch);
    if (!oid) return null; // an empty repository has no default branch ref, as on GitHub
    return new RefNode(this.repo, 'refs/heads/', { name: `refs/heads/${branch}`, oid, type: 'commit', commitOid: oid });
  }

  async ref(args: { qualifiedName: string }, ctx: Context) {
    const full = args.qualifiedName.startsWith('refs/') ? args.qualifiedName : `refs/heads/${args.qualifiedName}`;
    const prefix = full.slice(0, full.lastIndexOf('/') + 1);
    const refs = await this.listRefs(ctx, prefix);
    const found = refs.find((r) => r.name === full);
    return found ? new RefNode(this.repo, prefix, found) : null;
  }

  /** `object(expression: "HEAD:.cutter.yml")` or `object(oid:)`: read from the bare repo, null when it names nothing. */
  async object(args: { expression?: string | null; oid?: string | null }, ctx: Context) {
    const expression = args.expression ?? args.oid;
    if (!expression) {
      throw new GraphQLError('Either expression or oid must be given.', { extensions: { type: 'INVALID_ARGUMENTS' } });
    }
    const found = await memo(ctx, `object:${this.repo.full_name}:${expression}`, () =>
      ctx.reader.gitObject(this.repo.owner, this.repo.name, expression),
    );
    if (!found) return null;
    if (found.type === 'blob') return new BlobNode(this.repo, found.oid, found.content);
    if (found.type === 'tree') return new TreeNode(this.repo, found.oid);
    return new CommitNode(this.repo, found.oid);
  }

  async refs(
    args: PageArgs & {
      refPrefix: string;
      query?: string;
      direction?: Direction;
      orderBy?: { field: string; direction: Direction };
    },
    ctx: Context,
  ) {
    if (!args.refPrefix.startsWith('refs/') || !args.refPrefix.endsWith('/')) {
      throw new GraphQLError(`refPrefix must start with "refs/" and end with "/": got "${args.refPrefix}".`, {
        extensions: { type: 'INVALID_ARGUMENTS' },
      });
    }
    let refs = await this.listRefs(ctx, args.refPrefix);
    if (args.query) refs = refs.filter((r) => r.name.slice(args.refPrefix.length).includes(args.query!));
    const direction = args.orderBy?.direction ?? args.direction ?? 'ASC';
    const byName = compareBy<SandboxRef>((r) => r.name, direction);
    if (args.orderBy?.field === 'TAG_COMMIT_DATE') {
      const dated = await Promise.all(
        refs.map(async (r) => ({
          ref: r,
          date:
            r.committedDate ??
            (await memo(ctx, `date:${this.repo.full_name}:${r.commitOid}`, () =>
              ctx.reader.commitDate(this.repo.owner, this.repo.name, r.commitOid),
            )) ??
            '',
        })),
      );
      const byDate = compareBy<{ ref: SandboxRef; date: string }>((d) => Date.parse(d.date) || 0, direction);
      refs = dated.sort((a, b) => byDate(a, b) || byName(a.ref, b.ref)).map((d) => d.ref);
    } else {
      refs = [...refs].sort(byName);
    }
    return connection(refs, args, (r) => new RefNode(this.repo, args.refPrefix, r));
  }

  private listRefs(ctx: Context, prefix: string): Promise<SandboxRef[]> {
    return memo(ctx, `refs:${this.repo.full_name}:${prefix}`, () =>
      ctx.reader.listRefs(this.repo.owner, this.repo.name, prefix),
    );
  }
}

function memo<T>(ctx: Context, key: string, load: () => Promise<T>): Promise<T> {
  let found = ctx.memo.get(key) as Promise<T> | undefined;
  if (!found) {
    found = load();
    ctx.memo.set(key, found);
  }
  return found;
}

/** Legacy global node ids (`base64("<len>:<Type><id>")`), opaque like GitHub's. */
function nodeId(type: string, key: string): string {
  return Buffer.from(`0${String(type.length).padStart(2, '0')}:${type}${key}`).toString('base64');
}

function isoSeconds(date: string): string {
  const parsed = new Date(date);
  return Number.isNaN(parsed.getTime()) ? date : parsed.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
