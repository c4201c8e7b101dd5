// The server's log lines: plain messages, every one passed through `redact` before it is written.

import { redact } from '../core/redact.js';

export interface ServerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Wrap any sink so that no secret reaches it, whoever calls it. */
export function redactingLogger(sink: ServerLogger): ServerLogger {
  return {
    info: (m) => sink.info(redact(m)),
    warn: (m) => sink.warn(redact(m)),
    error: (m) => sink.error(redact(m)),
  };
}

/** One line per message on stderr, with an ISO timestamp and the level. */
export const stderrLogger: ServerLogger = {
  info: (m) => process.stderr.write(`${new Date().toISOString()} info  ${m}\n`),
  warn: (m) => process.stderr.write(`${new Date().toISOString()} warn  ${m}\n`),
  error: (m) => process.stderr.write(`${new Date().toISOString()} error ${m}\n`),
};

export const silentLogger: ServerLogger = { info: () => {}, warn: () => {}, error: () => {} };
