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

/** How long an info line may wait for others to share its write. */
export const INFO_FLUSH_MS = 100;
/** Buffered info text past this size is written at once. */
const MAX_BUFFERED = 64 * 1024;

export interface LineLogger extends ServerLogger {
  /** Write the buffered info lines now. */
  flush(): void;
}

/**
 * One line per message, with an ISO timestamp (taken when logged) and the level. Info lines — one or two per
 * webhook delivery — are buffered and written together within {@link INFO_FLUSH_MS}, so a burst of deliveries costs
 * one write (and one wakeup of whatever reads the log) instead of one per line, and never a write inside an
 * acknowledgement. Warnings and errors are written at once, after the info lines logged before them; the buffer is
 * also written when the process exits.
 */
export function lineLogger(write: (text: string) => void): LineLogger {
  let buffered: string[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | null = null;
  let hooked = false;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (buffered.length === 0) return;
    const text = buffered.join('');
    buffered = [];
    size = 0;
    write(text);
  };
  const line = (level: string, m: string) => `${new Date().toISOString()} ${level} ${m}\n`;
  return {
    info: (m) => {
      const text = line('info ', m);
      buffered.push(text);
      size += text.length;
      if (!hooked) {
        hooked = true;
        process.once('exit', flush);
      }
      if (size >= MAX_BUFFERED) flush();
      else timer ??= setTimeout(flush, INFO_FLUSH_MS).unref();
    },
    warn: (m) => {
      flush();
      write(line('warn ', m));
    },
    error: (m) => {
      flush();
      write(line('error', m));
    },
    flush,
  };
}

/** The server's log on stderr (see {@link lineLogger}). */
export const stderrLogger: LineLogger = lineLogger((text) => process.stderr.write(text));

export const silentLogger: ServerLogger = { info: () => {}, warn: () => {}, error: () => {} };
