// Login for the dashboard and API: a token exchanged for a signed HttpOnly session cookie, roles, and CSRF checks.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import cookie, { Signer } from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { registerSecret } from '../core/redact.js';
import type { Store } from '../store/types.js';
import type { ServerLogger } from './server-logger.js';

export type Role = 'admin' | 'read';

export interface Access {
  role: Role;
  /** `session` for the browser (CSRF applies), `bearer` for scripts and scrapers (no ambient credential). */
  via: 'session' | 'bearer';
}

interface Session {
  role: Role;
  csrf: string;
  expiresAt: number;
}

export interface SessionAccessOptions {
  store: Store;
  logger: ServerLogger;
  /** CUTTER_API_TOKEN: logs in as admin. Without it and without a read token, nobody can log in. */
  adminToken?: string | undefined;
  /** CUTTER_READ_TOKEN: logs in read-only. */
  readToken?: string | undefined;
  /**
   * Signs the session cookie (CUTTER_SESSION_SECRET). Without it a random secret is created once and kept in the
   * store, so sessions survive a restart and work on every worker sharing the store.
   */
  cookieSecret?: string | undefined;
  sessionTtlMs?: number;
  /** Set the cookie's Secure flag (behind HTTPS). */
  secureCookie?: boolean;
}

export const SESSION_COOKIE = 'cutter_session';
const ACCESS = Symbol('cutterAccess');
const digest = (value: string) => createHash('sha256').update(value).digest();
const same = (a: string, b: Buffer) => timingSafeEqual(digest(a), b);

/** What the access hook decided for this request (null before it ran or on public routes). */
export function accessOf(request: FastifyRequest): Access | null {
  return (request as unknown as Record<symbol, Access | undefined>)[ACCESS] ?? null;
}

/** Paths anyone may load: the login page and its assets, the webhook receiver (signed itself) and the health check. */
export function isPublicPath(url: string): boolean {
  const path = url.split('?')[0] ?? url;
  return (
    path === '/login' ||
    path === '/api/login' ||
    path === '/healthz' ||
    path.startsWith('/webhooks/') ||
    path.startsWith('/assets/')
  );
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SECRET_KEY = 'cutter:session-secret';

/** Sessions live in the store under the SHA-256 of their id: a copy of the database opens no browser session. */
const sessionKey = (id: string) => `cutter:session:${createHash('sha256').update(id).digest('hex')}`;

function isSession(v: unknown): v is Session {
  const s = v as Partial<Session> | null;
  return (
    !!s && (s.role === 'admin' || s.role === 'read') && typeof s.csrf === 'string' && typeof s.expiresAt === 'number'
  );
}

/** The store's cookie-signing secret, created by whichever process asks first (compare-and-set). */
async function storedSecret(store: Store): Promise<string> {
  for (;;) {
    const found = await store.kvGet(SECRET_KEY);
    if (typeof found?.value === 'string' && found.value.length >= 32) return found.value;
    const fresh = randomBytes(32).toString('hex');
    const { ok } = await store.kvSet(SECRET_KEY, fresh, found ? found.version : null);
    if (ok) return fresh;
  }
}

export function registerSessionAccess(app: FastifyInstance, options: SessionAccessOptions): void {
  const tokens: Array<{ digest: Buffer; role: Role }> = [];
  if (options.adminToken) tokens.push({ digest: digest(options.adminToken), role: 'admin' });
  if (options.readToken) tokens.push({ digest: digest(options.readToken), role: 'read' });
  for (const t of [options.adminToken, options.readToken, options.cookieSecret]) if (t) registerSecret(t);
  const roleOf = (token: string): Role | null => tokens.find((t) => same(token, t.digest))?.role ?? null;
  const ttl = options.sessionTtlMs ?? 12 * 3600_000;
  let signer: Pick<Signer, 'sign' | 'unsign'> | null = null;
  const useSecret = (secret: string) => {
    registerSecret(secret);
    signer = new Signer(secret);
  };
  if (options.cookieSecret) useSecret(options.cookieSecret);
  // Loaded before the server accepts a request (listen and inject both wait for ready).
  app.addHook('onReady', async () => {
    if (!signer) useSecret(await storedSecret(options.store));
  });
  const signerReady = (): Pick<Signer, 'sign' | 'unsign'> => {
    if (!signer) throw new Error('session signer used before the server was ready');
    return signer;
  };
  app.register(cookie, {
    secret: { sign: (value) => signerReady().sign(value), unsign: (input) => signerReady().unsign(input) },
  });

  const sessionIdOf = (request: FastifyRequest): string | null => {
    const raw = request.cookies[SESSION_COOKIE];
    if (!raw) return null;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid && unsigned.value ? unsigned.value : null;
  };
  const sessionOf = async (request: FastifyRequest): Promise<Session | null> => {
    const id = sessionIdOf(request);
    if (!id) return null;
    const stored = await options.store.kvGet(sessionKey(id));
    const session = isSession(stored?.value) ? stored.value : null;
    if (!session) return null;
    if (session.expiresAt < Date.now()) {
      await options.store.kvSet(sessionKey(id), null);
      return null;
    }
    return session;
  };

  const deny = (request: FastifyRequest, reply: FastifyReply, status: 401 | 403, error: string, message: string) => {
    // A browser asking for a page goes to the login form; API callers get JSON.
    if (status === 401 && request.method === 'GET' && !request.url.startsWith('/api/') && request.url !== '/metrics') {
      return reply.redirect('/login');
    }
    return reply.code(status).send({ error, message });
  };

  app.addHook('onRequest', async (request, reply) => {
    if (isPublicPath(request.url)) return;
    if (tokens.length === 0) {
      return reply.code(403).send({
        error: 'access_disabled',
        message:
          'the API and dashboard are disabled: start the server with CUTTER_API_TOKEN (and CUTTER_READ_TOKEN) set',
      });
    }
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    let access: Access | null = null;
    let session: Session | null = null;
    if (bearer) {
      const role = roleOf(bearer);
      if (role) access = { role, via: 'bearer' };
    } else {
      session = await sessionOf(request);
      if (session) access = { role: session.role, via: 'session' };
    }
    if (!access) return deny(request, reply, 401, 'unauthorized', 'log in at /login or send Authorization: Bearer');
    if (MUTATING.has(request.method) && request.url !== '/api/logout') {
      // Double submit: a forged cross-site form carries the cookie but cannot read the token to echo it.
      const sent = request.headers['x-csrf-token'];
      if (access.via === 'session' && (typeof sent !== 'string' || !session || !same(sent, digest(session.csrf)))) {
        return deny(request, reply, 403, 'csrf', 'missing or wrong x-csrf-token header');
      }
      if (access.role !== 'admin') return deny(request, reply, 403, 'read_only', 'this login is read-only');
    }
    (request as unknown as Record<symbol, Access>)[ACCESS] = access;
  });

  app.post('/api/login', async (request, reply) => {
    const body = (request.body ?? {}) as { token?: unknown };
    const role = typeof body.token === 'string' && body.token !== '' ? roleOf(body.token) : null;
    if (!role) {
      options.logger.warn(`dashboard login refused from ${request.ip}`);
      return reply.code(401).send({ error: 'unauthorized', message: 'that token is not valid here' });
    }
    const id = randomBytes(32).toString('base64url');
    const session: Session = { role, csrf: randomBytes(24).toString('base64url'), expiresAt: Date.now() + ttl };
    await options.store.kvSet(sessionKey(id), session, null);
    await options.store.appendAudit({ actor: `dashboard:${role}`, action: 'session.login', target: 'dashboard' });
    reply.setCookie(SESSION_COOKIE, id, {
      signed: true,
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: options.secureCookie ?? false,
      maxAge: Math.floor(ttl / 1000),
    });
    return reply.send({ role, csrf: session.csrf });
  });

  app.post('/api/logout', async (request, reply) => {
    const id = sessionIdOf(request);
    // Revoked in the store, so every worker and every restart refuses the cookie from now on.
    if (id) await options.store.kvSet(sessionKey(id), null);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.send({ ok: true });
  });

  /** The page asks who it is and which CSRF token to echo; the cookie itself stays unreadable to scripts. */
  app.get('/api/session', async (request, reply) => {
    const access = accessOf(request);
    const session = await sessionOf(request);
    return reply.send({ role: access?.role ?? null, csrf: session?.csrf ?? null });
  });
}
