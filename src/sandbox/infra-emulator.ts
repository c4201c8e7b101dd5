// A local infrastructure API for connector images: records updates, checks auth, fails or stalls on request.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isImageRef } from '../core/image-ref.js';

export type ConnectorHealth = 'healthy' | 'deploying' | 'unhealthy';

export interface InfraUpdate {
  seq: number;
  connectorId: string;
  image: string;
  previousImage: string | null;
  at: string;
}

export interface InfraConnector {
  id: string;
  image: string | null;
  status: ConnectorHealth;
  updates: InfraUpdate[];
}

/** A canned failure: the status to answer with and, optionally, the body (e.g. one that echoes a credential). */
export interface InfraFailure {
  status: number;
  body?: string;
}

export type InfraRoute = 'update' | 'read' | 'status';

export interface InfraEmulatorOptions {
  /** The credential the API expects; requests without it get 401, with another value 403. */
  token: string;
  /** Header carrying the credential (default `authorization`, value `Bearer <token>`). */
  authHeader?: string;
  /** Prefix of the header value (default `Bearer `; use '' for raw API keys). */
  authScheme?: string;
  /** Connectors that exist at start, with their current image. */
  connectors?: Record<string, string>;
  /** After an update, `/status` answers `deploying` for this long before `healthy` (default 0). */
  healthyAfterMs?: number;
  /** Default 0: an ephemeral port (tests); the demo may pin one. Always bound to 127.0.0.1. */
  port?: number;
}

export interface InfraEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every accepted image update, in order. */
  updates(connectorId?: string): InfraUpdate[];
  connector(connectorId: string): InfraConnector | null;
  /** The next requests to `route` (default `update`) answer these statuses instead, one each, in order. */
  failNext(failures: Array<number | InfraFailure>, route?: InfraRoute): void;
  /** Every request waits this long before it is answered (0 to stop). */
  setDelay(ms: number): void;
  /** Force a connector's health as reported by `/status` (null: back to the automatic deploying→healthy). */
  setHealth(connectorId: string, status: ConnectorHealth | null): void;
  /** How many requests each route received (answered or failed), for asserting retries. */
  requestCount(route: InfraRoute): number;
  close(): Promise<void>;
}

interface State {
  image: string | null;
  updatedAt: number;
  forced: ConnectorHealth | null;
  updates: InfraUpdate[];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_BODY = 64 * 1024;

/** Start the emulator on 127.0.0.1 with an ephemeral port. */
export async function startInfraEmulator(options: InfraEmulatorOptions): Promise<InfraEmulator> {
  const authHeader = (options.authHeader ?? 'authorization').toLowerCase();
  const expected = `${options.authScheme ?? 'Bearer '}${options.token}`;
  const healthyAfterMs = options.healthyAfterMs ?? 0;
  const connectors = new Map<string, State>();
  for (const [id, image] of Object.entries(options.connectors ?? {})) {
    connectors.set(id, { image, updatedAt: 0, forced: null, updates: [] });
  }
  const failures: Record<InfraRoute, InfraFailure[]> = { update: [], read: [], status: [] };
  const counts: Record<InfraRoute, number> = { update: 0, read: 0, status: 0 };
  const all: InfraUpdate[] = [];
  let delayMs = 0;
  let seq = 0;

  const health = (s: State): ConnectorHealth =>
    s.forced ?? (s.image && Date.now() - s.updatedAt < healthyAfterMs ? 'deploying' : 'healthy');
  const view = (id: string, s: State): InfraConnector => ({
    id,
    image: s.image,
    status: health(s),
    updates: [...s.updates],
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';

    if (url.pathname === '/_emulator/updates' && method === 'GET') return json(res, 200, { updates: all });
    if (url.pathname === '/_emulator/control' && method === 'POST') {
      const body = (await readJson(req)) as {
        failNext?: Array<number | InfraFailure>;
        route?: InfraRoute;
        delayMs?: number;
      };
      if (body?.failNext) failures[body.route ?? 'update'].push(...body.failNext.map(toFailure));
      if (typeof body?.delayMs === 'number') delayMs = body.delayMs;
      return json(res, 200, { ok: true });
    }

    const match = /^\/connectors\/([^/]+)(\/image|\/status)?$/.exec(url.pathname);
    const id = match?.[1] ? decodeURIComponent(match[1]) : null;
    const route: InfraRoute | null = !match
      ? null
      : match[2] === '/image' && (method === 'PUT' || method === 'POST')
        ? 'update'
        : match[2] === '/status' && method === 'GET'
          ? 'status'
          : match[2] === undefined && method === 'GET'
            ? 'read'
            : null;
    if (!route || !id) return json(res, 404, { message: 'Not Found' });
    counts[route] += 1;
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));

    const given = req.headers[authHeader];
    if (given === undefined) return json(res, 401, { message: `missing ${authHeader} header` });
    if (given !== expected) return json(res, 403, { message: 'credential rejected' });

    const failure = failures[route].shift();
    if (failure) {
      res.writeHead(failure.status, { 'content-type': 'application/json' });
      res.end(failure.body ?? JSON.stringify({ message: `injected failure ${failure.status}` }));
      return;
    }
    if (!ID.test(id)) return json(res, 400, { message: 'invalid connector id' });

    if (route === 'update') {
      const body = (await readJson(req)) as { image?: unknown } | undefined;
      const image = body?.image;
      if (typeof image !== 'string' || !isImageRef(image))
        return json(res, 400, { message: 'body must be {"image": "<image reference>"}' });
      const state = connectors.get(id) ?? { image: null, updatedAt: 0, forced: null, updates: [] };
      connectors.set(id, state);
      seq += 1;
      const update: InfraUpdate = {
        seq,
        connectorId: id,
        image,
        previousImage: state.image,
        at: new Date().toISOString(),
      };
      state.image = image;
      state.updatedAt = Date.now();
      state.updates.push(update);
      all.push(update);
      return json(res, 200, { id, image, status: health(state), update });
    }
    const state = connectors.get(id);
    if (!state) return json(res, 404, { message: `connector ${id} not found` });
    if (route === 'status')
      return json(res, 200, { id, image: state.image, status: health(state), healthy: health(state) === 'healthy' });
    return json(res, 200, view(id, state));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 400, { message: err instanceof Error ? err.message : 'bad request' });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    updates: (connectorId) => all.filter((u) => connectorId === undefined || u.connectorId === connectorId),
    connector: (connectorId) => {
      const s = connectors.get(connectorId);
      return s ? view(connectorId, s) : null;
    },
    failNext: (list, route = 'update') => {
      failures[route].push(...list.map(toFailure));
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    setHealth: (connectorId, status) => {
      const s = connectors.get(connectorId) ?? { image: null, updatedAt: 0, forced: null, updates: [] };
      s.forced = status;
      connectors.set(connectorId, s);
    },
    requestCount: (route) => counts[route],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function toFailure(f: number | InfraFailure): InfraFailure {
  return typeof f === 'number' ? { status: f } : f;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}
