// Commit status and check-run routes: post a status, read them one by one or combined, create and list check runs.

import { objectBody, optString, paged, reqString } from '../request-input.js';
import { unprocessable } from '../rest-errors.js';
import type { RouteDef } from '../router.js';
import type { Ctx, Services } from '../services.js';
import { type CheckRunRecord, checkRun, minimalRepo, type StatusRecord, status } from '../shapes.js';

const STATES = ['error', 'failure', 'pending', 'success'] as const;
const CHECK_STATUSES = ['queued', 'in_progress', 'completed'] as const;
const CONCLUSIONS = ['action_required', 'cancelled', 'failure', 'neutral', 'success', 'skipped', 'stale', 'timed_out'];

function target(ctx: Ctx) {
  const repo = ctx.sandbox.repo(ctx, ctx.params['owner'] ?? '', ctx.params['repo'] ?? '');
  return { owner: repo.owner, name: repo.name, repo };
}

async function commitOf(ctx: Ctx, owner: string, name: string, ref: string): Promise<string> {
  const sha = await ctx.sandbox.git.resolveCommit(owner, name, ref);
  if (!sha) throw unprocessable(`No commit found for SHA: ${ref}`);
  return sha;
}

export const statusRoutes: RouteDef<Services>[] = [
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/statuses/{sha}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const b = objectBody(ctx.body);
      const state = reqString(b, 'state');
      if (!(STATES as readonly string[]).includes(state)) {
        throw unprocessable('Validation Failed', [{ resource: 'Status', field: 'state', code: 'invalid' }]);
      }
      const sha = await ctx.sandbox.git.resolveCommit(owner, name, ctx.params['sha'] ?? '');
      if (!sha) throw unprocessable(`No commit found for SHA: ${ctx.params['sha']}`);
      const now = ctx.sandbox.nowIso();
      const id = ctx.sandbox.state.nextId('status');
      const rec: StatusRecord = {
        id,
        owner,
        repo: name,
        sha,
        state: state as StatusRecord['state'],
        target_url: optString(b, 'target_url') ?? null,
        description: optString(b, 'description') ?? null,
        context: optString(b, 'context') ?? 'default',
        creator: ctx.login,
        created_at: now,
        updated_at: now,
      };
      ctx.sandbox.state.put('status', id, { owner, repo: name, key: sha }, rec);
      const out = status(ctx.sandbox.links, rec);
      return { status: 201, body: out, headers: { location: out.url } };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref}/statuses',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const sha = await commitOf(ctx, owner, name, ctx.params['ref'] ?? '');
      const list = ctx.sandbox.state.list<StatusRecord>('status', owner, name, sha).reverse();
      const { body, headers } = paged(
        `${ctx.sandbox.links.api}/repos/${owner}/${name}/commits/${ctx.params['ref']}/statuses`,
        ctx.query,
        list,
      );
      return { status: 200, body: body.map((s) => status(ctx.sandbox.links, s)), headers };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref}/status',
    async handler(ctx) {
      const { owner, name, repo } = target(ctx);
      const sha = await commitOf(ctx, owner, name, ctx.params['ref'] ?? '');
      // The combined view keeps the newest status of each context.
      const latest = new Map<string, StatusRecord>();
      for (const s of ctx.sandbox.state.list<StatusRecord>('status', owner, name, sha)) latest.set(s.context, s);
      const statuses = [...latest.values()];
      const states = statuses.map((s) => s.state);
      const combined =
        states.includes('error') || states.includes('failure')
          ? 'failure'
          : states.length === 0 || states.includes('pending')
            ? 'pending'
            : 'success';
      const l = ctx.sandbox.links;
      return {
        status: 200,
        body: {
          state: combined,
          statuses: statuses.map((s) => status(l, s)),
          sha,
          total_count: statuses.length,
          repository: minimalRepo(l, repo),
          commit_url: `${l.api}/repos/${owner}/${name}/commits/${sha}`,
          url: `${l.api}/repos/${owner}/${name}/commits/${sha}/status`,
        },
      };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/check-runs',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const b = objectBody(ctx.body);
      const checkName = reqString(b, 'name');
      const headSha = await ctx.sandbox.git.resolveCommit(owner, name, reqString(b, 'head_sha'));
      if (!headSha)
        throw unprocessable('Validation Failed', [{ resource: 'CheckRun', field: 'head_sha', code: 'invalid' }]);
      const conclusion = optString(b, 'conclusion') ?? null;
      if (conclusion !== null && !CONCLUSIONS.includes(conclusion)) {
        throw unprocessable('Validation Failed', [{ resource: 'CheckRun', field: 'conclusion', code: 'invalid' }]);
      }
      const st = optString(b, 'status') ?? (conclusion ? 'completed' : 'queued');
      if (!(CHECK_STATUSES as readonly string[]).includes(st)) {
        throw unprocessable('Validation Failed', [{ resource: 'CheckRun', field: 'status', code: 'invalid' }]);
      }
      const now = ctx.sandbox.nowIso();
      const out = b['output'] && typeof b['output'] === 'object' ? (b['output'] as Record<string, unknown>) : {};
      const id = ctx.sandbox.state.nextId('check_run');
      const rec: CheckRunRecord = {
        id,
        owner,
        repo: name,
        head_sha: headSha,
        name: checkName,
        status: st as CheckRunRecord['status'],
        conclusion: st === 'completed' ? (conclusion ?? 'success') : null,
        details_url: optString(b, 'details_url') ?? null,
        external_id: optString(b, 'external_id') ?? null,
        started_at: now,
        completed_at: st === 'completed' ? now : null,
        output: {
          title: typeof out['title'] === 'string' ? out['title'] : null,
          summary: typeof out['summary'] === 'string' ? out['summary'] : null,
          text: typeof out['text'] === 'string' ? out['text'] : null,
        },
      };
      ctx.sandbox.state.put('check_run', id, { owner, repo: name, key: headSha }, rec);
      return { status: 201, body: checkRun(ctx.sandbox.links, rec) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref}/check-runs',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const sha = await commitOf(ctx, owner, name, ctx.params['ref'] ?? '');
      const checkName = ctx.query.get('check_name');
      const st = ctx.query.get('status');
      const runs = ctx.sandbox.state
        .list<CheckRunRecord>('check_run', owner, name, sha)
        .filter((c) => !checkName || c.name === checkName)
        .filter((c) => !st || c.status === st)
        .reverse();
      const { body, headers } = paged(
        `${ctx.sandbox.links.api}/repos/${owner}/${name}/commits/${ctx.params['ref']}/check-runs`,
        ctx.query,
        runs,
      );
      return {
        status: 200,
        body: { total_count: runs.length, check_runs: body.map((c) => checkRun(ctx.sandbox.links, c)) },
        headers,
      };
    },
  },
];
