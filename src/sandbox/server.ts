// The GitHub sandbox: one HTTP server for REST, GraphQL and git smart HTTP over real bare repos, with limits and faults.

import { createHash, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redact, registerSecret } from '../core/redact.js';
import { AppInstallations, type AppRegistration } from './app-installations.js';
import { AssetStorage, STORAGE_PREFIX } from './asset-storage.js';
import { isoSeconds, type SandboxClock, scaledClock } from './clock.js';
import { type CounterSnapshot, RequestCounters } from './counters.js';
import { attachWebhooks } from './event-webhooks.js';
import { FaultInjector, type FaultRule } from './faults.js';
import { GIT_PATH, isReceivePack, serveGit } from './git-http.js';
import { GitStore, ZERO_SHA } from './git-store.js';
import { createGraphQLHandler } from './graphql.js';
import { type LimitOptions, RateLimits } from './limits.js';
import { type Violation, validateResponse } from './openapi-validator.js';
import { markPullReady } from './pull-ready.js';
import { synchronizePulls } from './pull-sync.js';
import type { SandboxRef, SandboxRepoInfo } from './reader.js';
import { readBody } from './request-body.js';
import { HttpError, notFound, unprocessable } from './rest-errors.js';
import { type Reply, Router } from './router.js';
import { sandboxRoutes } from './routes/index.js';
import type { Ctx, RefChange, SandboxEvent, Services, WebhookLog } from './services.js';
import { type Links, nodeId, type ReleaseAssetRecord, UPLOADS_PREFIX } from './shapes.js';
import { SandboxState } from './state.js';
import { sandboxReader } from './state-reader.js';
import {
  type DownloadHost,
  RELEASE_DOWNLOAD_PATH,
  RELEASE_DOWNLOAD_ROUTE,
  serveReleaseDownload,
} from './web-downloads.js';
import type { WebhookDispatcher } from './webhooks.js';

export interface TokenGrant {
  /** Orgs (owners) this token can see; '*' for all. */
  orgs: string[] | '*';
  /** The login the token authenticates as (default `sandbox-bot`). */
  login?: string;
}

export interface SandboxLogger {
  info(msg: string): void;
  warn(msg: string): void;
}

/** A GraphQL executor mounted at POST /graphql (built over the SandboxReader by the GraphQL module). */
export type GraphQLHandler = (req: {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  token: string;
}) => Promise<{ status: number; body: unknown; cost: number }>;

/** Receives pushes, releases and merges (the webhook dispatcher plugs in here). */
export type EventListener = (e: SandboxEvent, sandbox: Sandbox) => void | Promise<void>;

export interface SandboxOptions {
  root: string;
  /** Tokens and what they may see. Default: one token, {@link DEFAULT_TOKEN}, for every org. */
  tokens?: Record<string, TokenGrant>;
  /** Token for `/_sandbox/*` (counters, faults). Default {@link DEFAULT_ADMIN_TOKEN}. */
  adminToken?: string;
  /** 60 → a simulated minute passes in a real second (limit windows, reset times, timestamps). */
  clockScale?: number;
  /** Seed of the fault PRNG. */
  seed?: number;
  limits?: LimitOptions;
  faults?: FaultRule[];
  /** Check every REST response against GitHub's OpenAPI description; failures land in `violations`. */
  validateResponses?: boolean;
  /** Request bodies above this many bytes get 413 (default 10 MiB). */
  maxBodyBytes?: number;
  logger?: SandboxLogger;
  graphql?: GraphQLHandler;
  /** GitHub Apps by id: their JWTs are traded for installation tokens at POST /app/installations/{id}/access_tokens. */
  apps?: Record<string, AppRegistration>;
}

export const DEFAULT_TOKEN = 'sandbox-token-acme';
export const DEFAULT_ADMIN_TOKEN = 'sandbox-admin-token';

/** What `registerRepos` accepts: the seeder's SeededRepo, or anything carrying the same metadata. */
export interface RegisteredRepo extends SandboxRepoInfo {
  releases?: {
    id?: number;
    tag_name: string;
    name: string | null;
    body: string | null;
    draft: boolean;
    prerelease: boolean;
    target_commitish: string;
    created_at: string;
    published_at: string | null;
  }[];
}

interface Identity {
  token: string;
  login: string;
  grant: TokenGrant;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export class Sandbox {
  readonly state: SandboxState;
  readonly git: GitStore;
  readonly clock: SandboxClock;
  readonly limits: RateLimits;
  readonly faults: FaultInjector;
  readonly violations: Violation[] = [];
  readonly apps: AppInstallations;
  private readonly counterSet = new RequestCounters();
  private readonly router = new Router<Services>();
  private readonly tokens: Map<string, Identity>;
  private readonly adminToken: string;
  private readonly listeners: EventListener[] = [];
  private server: Server | null = null;
  private baseUrl = 'http://127.0.0.1';
  private graphqlHandler: GraphQLHandler | undefined;
  private webhookLog: WebhookLog | null = null;
  /** Repositories whose creation is under way (`owner/name`, lower case): a concurrent create of one is refused. */
  private readonly creatingRepos = new Set<string>();
  /** Set by createSandbox; `whenIdle()` on it waits for webhook deliveries in flight. */
  webhookDispatcher: WebhookDispatcher | null = null;
  private readonly services: Services;
  private readonly storage: AssetStorage;

  constructor(readonly opts: SandboxOptions) {
    this.state = new SandboxState(opts.root);
    this.git = new GitStore(opts.root);
    this.clock = scaledClock(opts.clockScale ?? 1);
    this.limits = new RateLimits(this.clock, opts.limits);
    this.faults = new FaultInjector(opts.seed ?? 1, opts.faults ?? []);
    this.adminToken = opts.adminToken ?? DEFAULT_ADMIN_TOKEN;
    this.graphqlHandler = opts.graphql;
    const grants = opts.tokens ?? { [DEFAULT_TOKEN]: { orgs: '*' } };
    this.tokens = new Map(
      Object.entries(grants).map(([token, grant]) => [token, { token, grant, login: grant.login ?? 'sandbox-bot' }]),
    );
    for (const t of [...this.tokens.keys(), this.adminToken]) registerSecret(t);
    // A minted installation token is a token like any other, for what its installation may see.
    this.apps = new AppInstallations(opts.apps ?? {}, (token, grant) => {
      this.tokens.set(token, { token, grant: { orgs: grant.orgs }, login: 'sandbox-app[bot]' });
    });
    this.router.add(sandboxRoutes);
    this.storage = new AssetStorage(this.clock, `${opts.root}/release-assets`, (id) =>
      this.state.get<ReleaseAssetRecord>('release_asset', id),
    );
    this.services = this.makeServices();
  }

  get url(): string {
    return this.baseUrl;
  }

  get links(): Links {
    return { api: this.baseUrl };
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<{ url: string }> {
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    server.keepAliveTimeout = 5000;
    server.listen(port, host);
    await once(server, 'listening');
    const addr = server.address() as AddressInfo;
    this.server = server;
    this.baseUrl = `http://${host}:${addr.port}`;
    // GraphQL reads through the same state and git as REST; its URLs need the address, known only now.
    this.graphqlHandler ??= createGraphQLHandler(sandboxReader(this), {
      webBaseUrl: this.baseUrl,
      markPullReady: (token, login, pullId) =>
        markPullReady(this.services, pullId, { login, canAccess: (owner) => this.canAccess(token, owner) }),
    });
    return { url: this.baseUrl };
  }

  async close(): Promise<void> {
    await this.webhookDispatcher?.whenIdle();
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.state.close();
  }

  /** Add an org (an owner that can hold repos). Idempotent. */
  createOrg(login: string): void {
    if (this.state.find('org', login, '', login.toLowerCase())) return;
    const id = this.state.nextId('org');
    this.state.put(
      'org',
      id,
      { owner: login, key: login.toLowerCase() },
      { id, login, created_at: isoSeconds(this.clock.now()) },
    );
  }

  orgExists(login: string): boolean {
    return this.state.find('org', login, '', login.toLowerCase()) !== null;
  }

  /** Adopt repos that already exist on disk (the seeder's output) with their metadata and releases. */
  async registerRepos(owner: string, seeded: RegisteredRepo[]): Promise<void> {
    this.createOrg(owner);
    this.state.transaction(() => {
      for (const r of seeded) {
        const existing = this.state.find<SandboxRepoInfo>('repo', owner, '', r.name.toLowerCase());
        const clash = this.state.get<SandboxRepoInfo>('repo', r.id);
        const id = existing?.id ?? (clash || !Number.isInteger(r.id) ? this.state.nextId('repo') : r.id);
        const info: SandboxRepoInfo = {
          id,
          node_id: r.node_id || nodeId('Repository', id),
          owner,
          name: r.name,
          full_name: `${owner}/${r.name}`,
          private: r.private,
          archived: r.archived,
          topics: r.topics,
          default_branch: r.default_branch,
          description: r.description,
          created_at: r.created_at,
          updated_at: r.updated_at,
          pushed_at: r.pushed_at,
        };
        this.state.put('repo', id, { owner, key: r.name.toLowerCase() }, info);
        for (const rel of r.releases ?? []) {
          if (this.state.find('release', owner, r.name, rel.tag_name)) continue;
          const relId = rel.id && !this.state.get('release', rel.id) ? rel.id : this.state.nextId('release');
          this.state.put(
            'release',
            relId,
            { owner, repo: r.name, key: rel.tag_name },
            {
              id: relId,
              owner,
              repo: r.name,
              tag_name: rel.tag_name,
              target_commitish: rel.target_commitish,
              name: rel.name,
              body: rel.body,
              draft: rel.draft,
              prerelease: rel.prerelease,
              author: 'sandbox-bot',
              created_at: rel.created_at,
              published_at: rel.published_at,
              updated_at: rel.published_at ?? rel.created_at,
            },
          );
        }
      }
    });
  }

  /** Adopt every bare repo found under `${root}/git/${owner}` that is not registered yet (after a restart, say). */
  async adoptRepos(owner: string): Promise<number> {
    const dir = `${this.opts.root}/git/${owner}`;
    const names = (await readdir(dir).catch(() => [] as string[]))
      .filter((n) => n.endsWith('.git'))
      .map((n) => n.slice(0, -4));
    const fresh = names.filter((n) => !this.state.find('repo', owner, '', n.toLowerCase()));
    const now = isoSeconds(this.clock.now());
    await this.registerRepos(
      owner,
      fresh.map((name) => ({
        id: 0,
        node_id: '',
        owner,
        name,
        full_name: `${owner}/${name}`,
        private: false,
        archived: false,
        topics: [],
        default_branch: 'main',
        description: null,
        created_at: now,
        updated_at: now,
        pushed_at: now,
      })),
    );
    return fresh.length;
  }

  setFaults(rules: FaultRule[], seed?: number): void {
    this.faults.set(rules, seed);
  }

  counters(): CounterSnapshot {
    return this.counterSet.snapshot();
  }

  resetCounters(): void {
    this.counterSet.reset();
  }

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  setWebhookLog(log: WebhookLog): void {
    this.webhookLog = log;
  }

  setGraphQL(handler: GraphQLHandler): void {
    this.graphqlHandler = handler;
  }

  /** Resolve a token to an identity (null when unknown). */
  identify(token: string): Identity | null {
    const known = this.tokens.get(token);
    if (known) return known;
    // An App's JWT authenticates as the App, which sees no repository: it only trades itself for tokens (routes/apps.ts).
    return this.opts.apps && this.apps.isJwt(token) ? { token, login: 'sandbox-app', grant: { orgs: [] } } : null;
  }

  canAccess(token: string, owner: string): boolean {
    const id = this.tokens.get(token);
    if (!id) return false;
    if (id.grant.orgs === '*') return true;
    const lower = owner.toLowerCase();
    return id.login.toLowerCase() === lower || id.grant.orgs.some((o) => o.toLowerCase() === lower);
  }

  repoInfo(owner: string, name: string): SandboxRepoInfo | null {
    return this.state.find<SandboxRepoInfo>('repo', owner, '', name.toLowerCase());
  }

  listRepoInfos(owner: string): SandboxRepoInfo[] {
    return this.state.list<SandboxRepoInfo>('repo', owner, '');
  }

  async listRefsForReader(owner: string, name: string, prefix: string): Promise<SandboxRef[]> {
    const refs = await this.git.listRefs(owner, name, prefix);
    return refs.map((r) => ({
      name: r.ref,
      oid: r.sha,
      type: r.type === 'tag' ? 'tag' : 'commit',
      commitOid: r.peeled,
      committedDate: r.committedDate,
    }));
  }

  /** What the web host's release downloads read (web-downloads.ts). */
  private get downloadHost(): DownloadHost {
    return {
      state: this.state,
      repoInfo: (owner, name) => this.repoInfo(owner, name),
      canRead: (token, owner) => token !== null && this.canAccess(token, owner),
      signedUrl: (id) => this.storage.signedUrl(this.baseUrl, id),
    };
  }

  private makeServices(): Services {
    const self = this;
    return {
      state: this.state,
      apps: this.apps,
      git: this.git,
      get links() {
        return self.links;
      },
      clock: this.clock,
      assetsDir: `${this.opts.root}/release-assets`,
      assetDownloadUrl: (id) => this.storage.signedUrl(this.baseUrl, id),
      nowIso: () => isoSeconds(this.clock.now()),
      requireOwner: (ctx: Ctx, owner: string) => {
        if (!this.canAccess(ctx.token, owner) || !this.orgExists(owner)) throw notFound();
      },
      repo: (ctx: Ctx, owner: string, name: string) => {
        const info = this.canAccess(ctx.token, owner) ? this.repoInfo(owner, name) : null;
        if (!info) throw notFound();
        return info;
      },
      createRepo: (owner, name, o) => this.createRepo(owner, name, o),
      rateLimits: (token) => {
        const view = (r: 'core' | 'graphql') => {
          const p = this.limits.primary(token, r);
          return { limit: p.limit, remaining: p.remaining, used: p.used, reset: p.resetReal };
        };
        return { core: view('core'), graphql: view('graphql') };
      },
      webhooks: () => this.webhookLog,
      event: (e) => this.emit(e),
    };
  }

  async createRepo(
    owner: string,
    name: string,
    o: { private?: boolean; description?: string | null; autoInit?: boolean; defaultBranch?: string } = {},
  ): Promise<SandboxRepoInfo> {
    // Taken before the first await, so of two concurrent creates of one name exactly one gets the repository, as
    // GitHub's unique name does (the other answer is GitHub's 422).
    const key = `${owner.toLowerCase()}/${name.toLowerCase()}`;
    if (this.creatingRepos.has(key) || this.state.find('repo', owner, '', name.toLowerCase())) {
      throw unprocessable('Repository creation failed.', [
        { resource: 'Repository', code: 'custom', field: 'name', message: 'name already exists on this account' },
      ]);
    }
    this.creatingRepos.add(key);
    try {
      return await this.initRepo(owner, name, o);
    } finally {
      this.creatingRepos.delete(key);
    }
  }

  private async initRepo(
    owner: string,
    name: string,
    o: { private?: boolean; description?: string | null; autoInit?: boolean; defaultBranch?: string },
  ): Promise<SandboxRepoInfo> {
    this.createOrg(owner);
    const branch = o.defaultBranch ?? 'main';
    await this.git.init(owner, name, branch);
    const now = isoSeconds(this.clock.now());
    if (o.autoInit) {
      const who = { name: 'sandbox-bot', email: 'sandbox-bot@users.noreply.sandbox', date: now };
      const { commit } = await this.git.commitFile(owner, name, {
        parent: null,
        path: 'README.md',
        content: Buffer.from(`# ${name}\n`),
        message: 'Initial commit',
        author: who,
        committer: who,
      });
      await this.git.updateRef(owner, name, `refs/heads/${branch}`, commit, ZERO_SHA);
    }
    const id = this.state.nextId('repo');
    const info: SandboxRepoInfo = {
      id,
      node_id: nodeId('Repository', id),
      owner,
      name,
      full_name: `${owner}/${name}`,
      private: o.private ?? false,
      archived: false,
      topics: [],
      default_branch: branch,
      description: o.description ?? null,
      created_at: now,
      updated_at: now,
      pushed_at: now,
    };
    return this.state.put('repo', id, { owner, key: name.toLowerCase() }, info);
  }

  private async emit(e: SandboxEvent): Promise<void> {
    if (e.kind === 'refs') {
      const info = this.repoInfo(e.owner, e.repo);
      if (info) {
        const now = isoSeconds(this.clock.now());
        this.state.put(
          'repo',
          info.id,
          { owner: info.owner, key: info.name.toLowerCase() },
          { ...info, pushed_at: now, updated_at: now },
        );
      }
    }
    for (const l of this.listeners) {
      try {
        await l(e, this);
      } catch (err) {
        this.log('warn', `event listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (e.kind === 'refs') {
      for (const sync of synchronizePulls(this.state, e, isoSeconds(this.clock.now()))) await this.emit(sync);
    }
  }

  private log(level: 'info' | 'warn', msg: string): void {
    this.opts.logger?.[level](redact(msg));
  }

  // ---- request handling -------------------------------------------------------------------------------------------

  private tokenOf(req: IncomingMessage): string | null {
    const auth = req.headers.authorization;
    if (!auth) return null;
    const m = /^(token|bearer|basic)\s+(.+)$/i.exec(auth.trim());
    if (!m) return '';
    const scheme = (m[1] ?? '').toLowerCase();
    const value = (m[2] ?? '').trim();
    if (scheme !== 'basic') return value;
    // git sends basic auth; like GitHub, the password is the token (the user name is ignored)
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? decoded : decoded.slice(colon + 1);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    try {
      const git = GIT_PATH.exec(path);
      if (git) return await this.handleGit(req, res, git[1] ?? '', git[2] ?? '', git[3] ?? '', url.search.slice(1));
      if (path.startsWith('/_sandbox/')) return await this.handleAdmin(req, res, path, method);
      if (path.startsWith(STORAGE_PREFIX)) {
        const status = await this.storage.serve(req, res, url);
        this.counterSet.record({ protocol: 'storage', kind: 'read', route: `${method} ${STORAGE_PREFIX}{id}`, status });
        return;
      }
      const download = method === 'GET' || method === 'HEAD' ? RELEASE_DOWNLOAD_PATH.exec(path) : null;
      if (download) {
        const status = serveReleaseDownload(req, res, download, this.tokenOf(req), this.downloadHost);
        this.counterSet.record({ protocol: 'web', kind: 'read', route: `${method} ${RELEASE_DOWNLOAD_ROUTE}`, status });
        return;
      }
      await this.handleApi(req, res, url, method);
    } catch (err) {
      this.log('warn', `request failed: ${method} ${path}: ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent)
        this.sendJson(res, 500, { message: 'Server Error', documentation_url: 'https://docs.github.com/rest' });
      else res.destroy();
    }
  }

  private async handleGit(
    req: IncomingMessage,
    res: ServerResponse,
    owner: string,
    name: string,
    rest: string,
    query: string,
  ) {
    const write = isReceivePack(rest, query);
    const route = `GIT ${rest === '/info/refs' ? `/info/refs?${query}` : rest}`;
    const token = this.tokenOf(req);
    const finish = (status: number) =>
      this.counterSet.record({ protocol: 'git', kind: write ? 'write' : 'read', route, status });
    if (token === null || !this.identify(token)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"', 'content-type': 'text/plain' });
      res.end('Invalid username or token. Password authentication is not supported for Git operations.\n');
      finish(401);
      return;
    }
    const info = this.canAccess(token, owner) ? this.repoInfo(owner, name) : null;
    if (!info) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Repository not found.\n');
      finish(404);
      return;
    }
    const fault = this.faults.decide(route, `/${owner}/${name}.git${rest}`);
    if (fault.kind !== 'none') {
      this.counterSet.fault(fault.kind);
      if (fault.kind === 'drop') {
        req.socket.destroy();
        finish(0);
        return;
      }
      if (fault.kind === 'error') {
        res.writeHead(fault.status, { 'content-type': 'text/plain' });
        res.end('sandbox: injected fault\n');
        finish(fault.status);
        return;
      }
      await sleep(fault.delayMs);
    }
    const pushing = req.method === 'POST' && rest === '/git-receive-pack';
    const before = pushing ? await this.git.listRefs(info.owner, info.name, 'refs/') : [];
    const identity = this.identify(token);
    const pusher = identity?.login ?? 'sandbox-bot';
    const status = await serveGit({
      req,
      res,
      gitRoot: `${this.opts.root}/git`,
      owner: info.owner,
      name: info.name,
      rest,
      query,
      user: pusher,
      // the push's events are raised before the client hears "done", so what it does next sees them
      beforeEnd: pushing
        ? async () => {
            this.git.invalidate(info.owner, info.name);
            const after = await this.git.listRefs(info.owner, info.name, 'refs/');
            const changes = diffRefs(before, after);
            if (changes.length > 0)
              await this.emit({ kind: 'refs', owner: info.owner, repo: info.name, changes, pusher });
          }
        : undefined,
    });
    finish(status);
  }

  private async handleAdmin(req: IncomingMessage, res: ServerResponse, path: string, method: string) {
    const token = this.tokenOf(req);
    const record = (status: number) =>
      this.counterSet.record({
        protocol: 'admin',
        kind: method === 'GET' ? 'read' : 'write',
        route: `${method} ${path}`,
        status,
      });
    if (!token || !safeEqual(token, this.adminToken)) {
      this.sendJson(res, 401, {
        message: 'Requires the sandbox admin token',
        documentation_url: 'https://docs.github.com/rest',
      });
      return;
    }
    if (path === '/_sandbox/counters' && method === 'GET') {
      this.sendJson(res, 200, this.counters());
      return;
    }
    if (path === '/_sandbox/counters' && method === 'DELETE') {
      this.resetCounters();
      res.writeHead(204).end();
      return;
    }
    if (path === '/_sandbox/faults' && method === 'GET') {
      this.sendJson(res, 200, { faults: this.faults.list() });
      record(200);
      return;
    }
    if (path === '/_sandbox/faults' && method === 'POST') {
      const raw = await readBody(req, 1024 * 1024);
      let parsed: { faults?: unknown; seed?: unknown };
      try {
        parsed = JSON.parse(raw.body?.toString('utf8') || '{}') as typeof parsed;
      } catch {
        this.sendJson(res, 400, { message: 'Problems parsing JSON' });
        record(400);
        return;
      }
      const rules = Array.isArray(parsed.faults) ? (parsed.faults as FaultRule[]) : null;
      if (
        !rules ||
        rules.some(
          (r) =>
            typeof r?.route !== 'string' || typeof r.rate !== 'number' || !['error', 'slow', 'drop'].includes(r.kind),
        )
      ) {
        this.sendJson(res, 422, {
          message: 'faults must be [{ route, rate, kind: error|slow|drop, status?, delayMs?, limit? }]',
        });
        record(422);
        return;
      }
      this.setFaults(rules, typeof parsed.seed === 'number' ? parsed.seed : undefined);
      this.sendJson(res, 200, { faults: this.faults.list() });
      record(200);
      return;
    }
    this.sendJson(res, 404, { message: 'Not Found' });
    record(404);
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse, url: URL, method: string) {
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const isGraphQL = path === '/graphql';
    const write = isGraphQL ? false : method !== 'GET' && method !== 'HEAD';
    const matched = isGraphQL ? null : this.router.match(method === 'HEAD' ? 'GET' : method, path);
    const template = isGraphQL ? '/graphql' : (matched?.def.template ?? 'unknown');
    const routeKey = `${method} ${template}`;
    const protocol = isGraphQL ? 'graphql' : 'rest';
    const headers: Record<string, string> = {};
    let status = 500;
    let admitted: string | null = null;
    let serialized: string | undefined;
    const send = (s: number, body: unknown, extra: Record<string, string> = {}) => {
      status = s;
      this.sendJson(res, s, body, { ...headers, ...extra }, serialized);
      if (this.opts.validateResponses && !isGraphQL && matched && s !== 401)
        this.check(method, matched.def.specTemplate ?? matched.def.template, s, body);
    };
    try {
      const token = this.tokenOf(req);
      const identity = token ? this.identify(token) : null;
      if (!identity) {
        // drain the body so the connection stays usable
        req.resume();
        send(401, {
          message: token === null ? 'Requires authentication' : 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
        });
        return;
      }
      const resource = isGraphQL ? 'graphql' : 'core';
      if (!isGraphQL && !this.limits.spend(identity.token, 'core')) {
        this.counterSet.limited('primary');
        this.rateHeaders(headers, identity.token, resource);
        req.resume();
        send(403, {
          message: `API rate limit exceeded for user ID ${identity.login.length}.`,
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        });
        return;
      }
      this.rateHeaders(headers, identity.token, resource);
      const verdict = this.limits.admit(identity.token, write);
      if (!verdict.ok) {
        this.counterSet.limited('secondary');
        req.resume();
        send(
          verdict.status,
          {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID SANDBOX.',
            documentation_url:
              'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          },
          { 'retry-after': String(verdict.retryAfterSeconds) },
        );
        return;
      }
      admitted = identity.token;
      const fault = this.faults.decide(routeKey, path);
      if (fault.kind !== 'none') {
        this.counterSet.fault(fault.kind);
        if (fault.kind === 'drop') {
          status = 0;
          req.socket.destroy();
          return;
        }
        if (fault.kind === 'error') {
          req.resume();
          status = fault.status;
          // injected faults are deliberately outside the spec; they are not validation failures
          this.sendJson(
            res,
            fault.status,
            { message: 'Server Error', documentation_url: 'https://docs.github.com/rest' },
            headers,
          );
          return;
        }
        await sleep(fault.delayMs);
      }
      const raw = await readBody(req, this.opts.maxBodyBytes ?? 10 * 1024 * 1024);
      if (raw.tooLarge) {
        send(
          413,
          { message: 'Payload Too Large', documentation_url: 'https://docs.github.com/rest' },
          { connection: 'close' },
        );
        return;
      }
      let body: unknown;
      if (matched?.def.rawBody) body = raw.body ?? Buffer.alloc(0);
      else if (raw.body && raw.body.length > 0) {
        try {
          body = JSON.parse(raw.body.toString('utf8'));
        } catch {
          send(400, { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/rest' });
          return;
        }
      }
      if (isGraphQL) {
        status = await this.handleGraphQL(res, method, body, identity.token, headers);
        return;
      }
      if (!matched) {
        status = 404;
        this.sendJson(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }, headers);
        return;
      }
      const ctx: Ctx = {
        params: matched.params,
        query: url.searchParams,
        body,
        token: identity.token,
        login: identity.login,
        headers: req.headers,
        sandbox: this.services,
      };
      let reply: Reply;
      try {
        reply = await matched.def.handler(ctx);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        if (path.startsWith(UPLOADS_PREFIX)) {
          // GitHub's uploads host names the request in its error bodies as well as in the header.
          const id = requestId();
          send(err.status, { ...err.body(), request_id: id }, { ...err.headers, 'x-github-request-id': id });
          return;
        }
        send(err.status, err.body(), err.headers);
        return;
      }
      if (reply.raw) {
        // bytes, not JSON: nothing for the OpenAPI validator to read
        status = reply.status;
        res.writeHead(reply.status, {
          ...headers,
          'content-type': reply.raw.contentType,
          'content-length': String(reply.raw.bytes.length),
          ...reply.headers,
        });
        res.end(method === 'HEAD' ? undefined : reply.raw.bytes);
        return;
      }
      if (reply.status === 204) {
        status = 204;
        res.writeHead(204, { ...headers, ...reply.headers });
        res.end();
        return;
      }
      if (method === 'GET' && reply.status === 200) {
        const text = JSON.stringify(reply.body);
        const etag = `W/"${createHash('sha256').update(text).digest('hex').slice(0, 40)}"`;
        serialized = text;
        headers['etag'] = etag;
        const inm = req.headers['if-none-match'];
        if (inm?.split(',').some((t) => t.trim() === etag)) {
          status = 304;
          res.writeHead(304, { ...headers, ...reply.headers });
          res.end();
          return;
        }
      }
      send(reply.status, reply.body, reply.headers);
    } finally {
      if (admitted) this.limits.release(admitted);
      this.counterSet.record({ protocol, kind: write ? 'write' : 'read', route: routeKey, status });
    }
  }

  private async handleGraphQL(
    res: ServerResponse,
    method: string,
    body: unknown,
    token: string,
    headers: Record<string, string>,
  ) {
    if (method !== 'POST' || !this.graphqlHandler) {
      this.sendJson(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/graphql' }, headers);
      return 404;
    }
    const b = (body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
    if (typeof b.query !== 'string') {
      this.sendJson(
        res,
        200,
        { errors: [{ message: 'A query attribute must be specified and must be a string.' }] },
        headers,
      );
      return 200;
    }
    const out = await this.graphqlHandler({
      query: b.query,
      variables: b.variables && typeof b.variables === 'object' ? (b.variables as Record<string, unknown>) : undefined,
      ...(typeof b.operationName === 'string' ? { operationName: b.operationName } : {}),
      token,
    });
    this.rateHeaders(headers, token, 'graphql');
    this.sendJson(res, out.status, out.body, headers);
    return out.status;
  }

  private rateHeaders(headers: Record<string, string>, token: string, resource: 'core' | 'graphql') {
    const p = this.limits.primary(token, resource);
    headers['x-ratelimit-limit'] = String(p.limit);
    headers['x-ratelimit-remaining'] = String(p.remaining);
    headers['x-ratelimit-reset'] = String(p.resetReal);
    headers['x-ratelimit-used'] = String(p.used);
    headers['x-ratelimit-resource'] = resource;
  }

  private check(method: string, template: string, status: number, body: unknown) {
    const errors = validateResponse(method, template, status, body);
    if (errors.length === 0) return;
    const v = { method, route: template, status, errors };
    this.violations.push(v);
    this.log('warn', `OpenAPI violation: ${method} ${template} ${status}: ${errors.join('; ')}`);
  }

  private sendJson(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    text = JSON.stringify(body),
  ) {
    res.writeHead(status, {
      'content-type': JSON_TYPE,
      'content-length': String(Buffer.byteLength(text)),
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': requestId(),
      ...headers,
    });
    res.end(text);
  }
}

function requestId(): string {
  return createHash('sha1').update(`${Date.now()}${Math.random()}`).digest('hex').slice(0, 16).toUpperCase();
}

function diffRefs(before: { ref: string; sha: string }[], after: { ref: string; sha: string }[]): RefChange[] {
  const old = new Map(before.map((r) => [r.ref, r.sha]));
  const now = new Map(after.map((r) => [r.ref, r.sha]));
  const changes: RefChange[] = [];
  for (const [ref, sha] of now)
    if (old.get(ref) !== sha) changes.push({ ref, before: old.get(ref) ?? ZERO_SHA, after: sha });
  for (const [ref, sha] of old) if (!now.has(ref)) changes.push({ ref, before: sha, after: ZERO_SHA });
  return changes;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function createSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const sandbox = new Sandbox(opts);
  sandbox.webhookDispatcher = attachWebhooks(sandbox);
  return sandbox;
}
