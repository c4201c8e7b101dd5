// Reads a request body with a size cap, so a huge upload gets 413 instead of filling memory.

import type { IncomingMessage } from 'node:http';

/** Read a request body up to a limit; past it, stop reading and say so (the caller answers 413 and closes). */
export function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer | null; tooLarge: boolean }> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    req.resume();
    return Promise.resolve({ body: null, tooLarge: true });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        resolve({ body: null, tooLarge: true });
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve({ body: Buffer.concat(chunks), tooLarge: false });
    });
    req.on('error', (e) => {
      if (!done) reject(e);
    });
  });
}
