// Webhook configuration routes for repositories and orgs, plus their delivery log and redelivery.

import { objectBody, optBool, optStringArray, paged } from '../request-input.js';
import { HttpError, notFound, unprocessable } from '../rest-errors.js';
import type { RouteDef } from '../router.js';
import type { Ctx, Services } from '../services.js';
import { type HookRecord, hook } from '../shapes.js';

/** Scope of a hook route: a repository (`repo` set) or an org (`repo` empty). */
function scope(ctx: Ctx): { owner: string; repo: string } {
  if (ctx.params['org'] !== undefined) {
    const org = ctx.params['org'];
    ctx.sandbox.requireOwner(ctx, org);
    return { owner: org, repo: '' };
  }
  const repo = ctx.sandbox.repo(ctx, ctx.params['owner'] ?? '', ctx.params['repo'] ?? '');
  return { owner: repo.owner, repo: repo.name };
}

/** The concrete URL path of a scope's hooks, for `Link` headers: `/orgs/acme/hooks` or `/repos/acme/x/hooks`. */
function hooksPath(ctx: Ctx, s: { owner: string; repo: string }): string {
  return `${ctx.sandbox.links.api}${s.repo ? `/repos/${s.owner}/${s.repo}` : `/orgs/${s.owner}`}/hooks`;
}

function byId(ctx: Ctx, s: { owner: string; repo: string }): HookRecord {
  const id = Number(ctx.params['hook_id']);
  const h = Number.isInteger(id) ? ctx.sandbox.state.get<HookRecord>('hook', id) : null;
  if (!h || h.owner.toLowerCase() !== s.owner.toLowerCase() || h.repo.toLowerCase() !== s.repo.toLowerCase())
    throw notFound();
  return h;
}

function config(v: unknown, prev?: HookRecord['config']): HookRecord['config'] {
  if (v === undefined && prev) return prev;
  if (!v || typeof v !== 'object')
    throw unprocessable('Validation Failed', [{ resource: 'Hook', field: 'config', code: 'missing_field' }]);
  const c = v as Record<string, unknown>;
  const url = typeof c['url'] === 'string' ? c['url'] : prev?.url;
  if (!url || !/^https?:\/\//.test(url)) {
    throw unprocessable('Validation Failed', [
      { resource: 'Hook', field: 'config.url', code: 'custom', message: 'url is not a valid URL' },
    ]);
  }
  const secret = typeof c['secret'] === 'string' ? c['secret'] : prev?.secret;
  return {
    url,
    content_type: typeof c['content_type'] === 'string' ? c['content_type'] : (prev?.content_type ?? 'form'),
    insecure_ssl: typeof c['insecure_ssl'] === 'string' ? c['insecure_ssl'] : (prev?.insecure_ssl ?? '0'),
    ...(secret ? { secret } : {}),
  };
}

function hookRoutes(base: string): RouteDef<Services>[] {
  return [
    {
      method: 'POST',
      template: `${base}/hooks`,
      async handler(ctx) {
        const s = scope(ctx);
        const b = objectBody(ctx.body);
        const now = ctx.sandbox.nowIso();
        const id = ctx.sandbox.state.nextId('hook');
        const rec: HookRecord = {
          id,
          owner: s.owner,
          repo: s.repo,
          name: 'web',
          active: optBool(b, 'active') ?? true,
          events: optStringArray(b, 'events') ?? ['push'],
          config: config(b['config']),
          created_at: now,
          updated_at: now,
        };
        ctx.sandbox.state.put('hook', id, s, rec);
        const out = hook(ctx.sandbox.links, rec);
        return { status: 201, body: out, headers: { location: out.url } };
      },
    },
    {
      method: 'GET',
      template: `${base}/hooks`,
      async handler(ctx) {
        const s = scope(ctx);
        const list = ctx.sandbox.state.list<HookRecord>('hook', s.owner, s.repo);
        const { body, headers } = paged(hooksPath(ctx, s), ctx.query, list);
        return { status: 200, body: body.map((h) => hook(ctx.sandbox.links, h)), headers };
      },
    },
    {
      method: 'GET',
      template: `${base}/hooks/{hook_id}`,
      async handler(ctx) {
        return { status: 200, body: hook(ctx.sandbox.links, byId(ctx, scope(ctx))) };
      },
    },
    {
      method: 'PATCH',
      template: `${base}/hooks/{hook_id}`,
      async handler(ctx) {
        const s = scope(ctx);
        const h = byId(ctx, s);
        const b = objectBody(ctx.body);
        const add = optStringArray(b, 'add_events') ?? [];
        const remove = new Set(optStringArray(b, 'remove_events') ?? []);
        const events = [...new Set([...(optStringArray(b, 'events') ?? h.events), ...add])].filter(
          (e) => !remove.has(e),
        );
        const next: HookRecord = {
          ...h,
          active: optBool(b, 'active') ?? h.active,
          events,
          config: config(b['config'], h.config),
          updated_at: ctx.sandbox.nowIso(),
        };
        ctx.sandbox.state.put('hook', h.id, s, next);
        return { status: 200, body: hook(ctx.sandbox.links, next) };
      },
    },
    {
      method: 'DELETE',
      template: `${base}/hooks/{hook_id}`,
      async handler(ctx) {
        const h = byId(ctx, scope(ctx));
        ctx.sandbox.state.remove('hook', h.id);
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      template: `${base}/hooks/{hook_id}/deliveries`,
      async handler(ctx) {
        const s = scope(ctx);
        const h = byId(ctx, s);
        const log = ctx.sandbox.webhooks();
        const list = log ? await log.deliveries(h.id) : [];
        const { body, headers } = paged(`${hooksPath(ctx, s)}/${h.id}/deliveries`, ctx.query, list);
        return { status: 200, body, headers };
      },
    },
    {
      method: 'POST',
      template: `${base}/hooks/{hook_id}/deliveries/{delivery_id}/attempts`,
      async handler(ctx) {
        const h = byId(ctx, scope(ctx));
        const log = ctx.sandbox.webhooks();
        if (!log) throw notFound();
        const ok = await log.redeliver(h.id, ctx.params['delivery_id'] ?? '');
        if (!ok) throw notFound();
        if (ok === 'failed') throw new HttpError(502, 'Redelivery failed');
        return { status: 202, body: {} };
      },
    },
  ];
}

export const webhookConfigRoutes: RouteDef<Services>[] = [
  ...hookRoutes('/repos/{owner}/{repo}'),
  ...hookRoutes('/orgs/{org}'),
];
