// The latest verify checklist of a release (the flow's verify step or `cutter verify`), read from the audit log.

import type { FastifyInstance } from 'fastify';
import { CutterError } from '../core/errors.js';
import type { Store } from '../store/types.js';
import { sendApiError } from './send-api-error.js';
import type { ServerLogger } from './server-logger.js';

export interface VerifyResult {
  at: string;
  actor: string;
  ok: boolean;
  checks: Array<{ check: string; ok: boolean; detail: string }>;
}

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** `GET /api/releases/:owner/:repo/verify?tag=v1.4.2` → `{ result: VerifyResult | null }` (null: never verified). */
export function registerVerifyRoutes(app: FastifyInstance, ctx: { store: Store; logger: ServerLogger }): void {
  app.get<{ Params: { owner: string; repo: string }; Querystring: { tag?: string } }>(
    '/api/releases/:owner/:repo/verify',
    async (request, reply) => {
      try {
        const { owner, repo } = request.params;
        const tag = request.query.tag ?? '';
        if (!NAME.test(owner) || !NAME.test(repo) || !tag || tag.length > 256) {
          throw new CutterError('CUTTER_BAD_INPUT', 'GET /api/releases/OWNER/REPO/verify?tag=TAG', {
            hint: 'e.g. /api/releases/acme/connector-x/verify?tag=v1.4.2',
          });
        }
        const entries = await ctx.store.listAudit({ target: `${owner}/${repo}@${tag}`, limit: 50 });
        const latest = entries.find((e) => e.action === 'release.verify');
        const details = (latest?.details ?? {}) as Partial<VerifyResult>;
        const result: VerifyResult | null = latest
          ? {
              at: latest.at,
              actor: latest.actor,
              ok: details.ok === true,
              checks: Array.isArray(details.checks) ? details.checks : [],
            }
          : null;
        return reply.send({ result });
      } catch (err) {
        return sendApiError(reply, err, ctx.logger);
      }
    },
  );
}
