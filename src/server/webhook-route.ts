// POST /webhooks/github: verify the signature on the raw bytes, store the delivery and its task, only then answer.

import { verifyWithFallback } from '@octokit/webhooks-methods';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCutterError } from '../core/errors.js';
import type { Store } from '../store/types.js';
import { EVENT_TASKS, type EventToTask } from './event-tasks.js';
import type { ServerLogger } from './server-logger.js';

export interface WebhookRouteOptions {
  store: Store;
  /** The hook's secret; more than one while rotating (the first is current, the others still accepted). */
  secrets: readonly string[];
  /** Larger bodies are answered 413 before they are read to the end. */
  bodyLimit: number;
  logger: ServerLogger;
  /** Which events start which tasks (default EVENT_TASKS; the server adds fleet control repos to its push row). */
  events?: Readonly<Record<string, EventToTask>>;
  /** Told after a new delivery's task is stored (the engine is woken, instead of finding it at its next poll). */
  onStored?: (taskId: string) => void;
}

export const WEBHOOK_PATH = '/webhooks/github';

/** GitHub's delivery ids are UUIDs; anything printable up to this length is accepted, nothing longer is stored. */
const MAX_HEADER = 200;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const one = Array.isArray(value) ? value[0] : value;
  return one && one.length <= MAX_HEADER && /^[\x21-\x7e]+$/.test(one) ? one : undefined;
}

function reject(reply: FastifyReply, status: number, error: string, message: string) {
  return reply.code(status).send({ error, message });
}

/**
 * The JSON GitHub sent: the body itself, or the `payload` field of a form-encoded hook; with its text, which is
 * stored as received instead of serializing the parsed object again.
 */
function parsePayload(text: string, contentType: string): { payload: Record<string, unknown>; json: string } | null {
  let json = text;
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const field = new URLSearchParams(json).get('payload');
    if (field === null) return null;
    json = field;
  }
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? { payload: value as Record<string, unknown>, json }
      : null;
  } catch {
    return null;
  }
}

export function registerWebhookRoute(app: FastifyInstance, options: WebhookRouteOptions): void {
  const [current, ...previous] = options.secrets;
  if (!current) throw new Error('registerWebhookRoute needs a webhook secret');
  // An encapsulated context: only this route reads raw bytes, whatever the content type says.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_req, body, done) => {
      done(null, body);
    });
    scope.post(WEBHOOK_PATH, { bodyLimit: options.bodyLimit }, async (request, reply) => {
      const signature = header(request, 'x-hub-signature-256');
      if (!signature) return reject(reply, 401, 'unsigned', 'X-Hub-Signature-256 is missing');
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const text = body.toString('utf8');
      // Constant-time HMAC-SHA256 comparison of the exact bytes received, before anything else is believed.
      const valid = await verifyWithFallback(current, text, signature, previous).catch(() => false);
      if (!valid) {
        options.logger.warn(`webhook rejected: bad signature from ${request.ip}`);
        return reject(reply, 401, 'bad_signature', 'X-Hub-Signature-256 does not match the body');
      }
      const delivery = header(request, 'x-github-delivery');
      const event = header(request, 'x-github-event');
      if (!delivery) return reject(reply, 400, 'no_delivery', 'X-GitHub-Delivery is missing or malformed');
      if (!event) return reject(reply, 400, 'no_event', 'X-GitHub-Event is missing or malformed');
      const parsed = parsePayload(text, String(request.headers['content-type'] ?? ''));
      if (!parsed) return reject(reply, 400, 'bad_json', 'the body is not a JSON object');
      const { payload } = parsed;
      if (event === 'ping') return reply.code(200).send({ delivery, pong: true });

      const events = options.events ?? EVENT_TASKS;
      const toTask = Object.hasOwn(events, event) ? events[event] : undefined;
      if (!toTask) return reply.code(202).send({ delivery, ignored: `event "${event}" starts no work` });
      let decision: ReturnType<typeof toTask>;
      try {
        decision = toTask(payload);
      } catch (err) {
        if (!isCutterError(err, 'CUTTER_BAD_INPUT')) throw err;
        return reject(reply, 400, 'bad_payload', err.message);
      }
      if ('ignore' in decision) return reply.code(202).send({ delivery, ignored: decision.ignore });

      // The delivery and its task are written in one transaction; the 202 below is the promise they survive.
      let result: Awaited<ReturnType<Store['ingestDelivery']>>;
      try {
        result = await options.store.ingestDelivery(
          { id: delivery, event, payload, payloadJson: parsed.json, receivedAt: new Date() },
          decision.task,
        );
      } catch (err) {
        options.logger.error(`webhook ${delivery} not stored: ${err instanceof Error ? err.message : String(err)}`);
        return reject(reply, 503, 'store_unavailable', 'the delivery could not be stored; redeliver it later');
      }
      const task = result.taskId ?? null;
      reply.code(result.duplicate ? 200 : 202).send({ delivery, task, duplicate: result.duplicate });
      // After the answer is on its way: waking the engine and the log line are not part of the acknowledgement.
      if (task !== null && !result.duplicate) options.onStored?.(task);
      options.logger.info(
        `webhook ${event} ${delivery} → task ${task ?? '-'}${result.duplicate ? ' (duplicate delivery)' : ''}`,
      );
      return reply;
    });
  });
}
