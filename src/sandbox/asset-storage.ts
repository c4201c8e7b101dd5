// The sandbox's stand-in for GitHub's asset storage host: short-lived signed URLs that serve release asset bytes.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { SandboxClock } from './clock.js';
import type { ReleaseAssetRecord } from './shapes.js';

export const STORAGE_PREFIX = '/_storage/release-assets/';
/** GitHub's signed download URLs expire after five minutes. */
const VALID_MS = 5 * 60_000;

/**
 * GitHub answers an asset download (`Accept: application/octet-stream`) with a 302 to a signed URL on another host
 * that needs no token and sends the bytes with an ETag, as object stores do. The sandbox keeps that shape on its
 * own address, so clients follow a real redirect and meet a real ETag.
 */
export class AssetStorage {
  private readonly secret = randomBytes(32);

  constructor(
    private readonly clock: SandboxClock,
    private readonly dir: string,
    private readonly asset: (id: number) => ReleaseAssetRecord | null,
  ) {}

  private sign(id: number, expires: number): string {
    return createHmac('sha256', this.secret).update(`${id}:${expires}`).digest('hex');
  }

  /** Where the 302 of a download sends the client. */
  signedUrl(base: string, id: number): string {
    const expires = Math.floor(this.clock.now() + VALID_MS);
    return `${base}${STORAGE_PREFIX}${id}?expires=${expires}&signature=${this.sign(id, expires)}`;
  }

  /** Serve one signed URL; returns the status sent. */
  async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<number> {
    const id = Number(url.pathname.slice(STORAGE_PREFIX.length));
    const expires = Number(url.searchParams.get('expires'));
    const given = Buffer.from(url.searchParams.get('signature') ?? '', 'utf8');
    const want = Buffer.from(Number.isInteger(id) ? this.sign(id, expires) : '', 'utf8');
    const text = (status: number, message: string) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(`${message}\n`);
      return status;
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'Method Not Allowed');
    if (given.length !== want.length || !timingSafeEqual(given, want)) return text(403, 'Signature does not match');
    if (!(expires > this.clock.now())) return text(403, 'Request has expired');
    const record = this.asset(id);
    if (!record) return text(404, 'The specified key does not exist');
    const bytes = await readFile(join(this.dir, String(id)));
    const etag = `"${record.digest.replace(/^sha256:/, '').slice(0, 32)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return 304;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(bytes.length),
      etag,
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
    return 200;
  }
}
