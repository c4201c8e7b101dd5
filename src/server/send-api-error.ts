// One way for the dashboard routes to answer an error: CutterError codes mapped to HTTP, secrets redacted.

import type { FastifyReply } from 'fastify';
import { isCutterError } from '../core/errors.js';
import { redactValue } from '../core/redact.js';
import type { ServerLogger } from './server-logger.js';

const HTTP_STATUS: Record<string, number> = {
  CUTTER_BAD_INPUT: 400,
  CUTTER_NOT_FOUND: 404,
  CUTTER_REFUSED: 409,
  CUTTER_FROZEN: 409,
  CUTTER_NOT_SUPPORTED: 501,
};

export function sendApiError(reply: FastifyReply, err: unknown, logger: ServerLogger) {
  if (isCutterError(err)) {
    const status = HTTP_STATUS[err.code] ?? (err.transient ? 503 : 500);
    if (status >= 500) logger.error(err.toLine());
    return reply.code(status).send(redactValue({ error: err.code, message: err.message, hint: err.hint }));
  }
  logger.error(`dashboard api: ${err instanceof Error ? err.message : String(err)}`);
  return reply.code(500).send({ error: 'CUTTER_INTERNAL', message: 'internal error; see the server log' });
}
