// Git smart HTTP: bridges requests to `git http-backend` (CGI), streaming bodies both ways.

import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { servedRepoConfigEnv } from './git-store.js';

/** `/{owner}/{name}.git/{info/refs|git-upload-pack|git-receive-pack|HEAD…}` */
export const GIT_PATH = /^\/([^/]+)\/([^/]+)\.git(\/.*)$/;

export interface GitHttpRequest {
  req: IncomingMessage;
  res: ServerResponse;
  gitRoot: string;
  owner: string;
  name: string;
  /** Path inside the repo, e.g. `/info/refs`. */
  rest: string;
  query: string;
  user: string;
  /** Runs after git finished and before the response ends (the push's ref changes are known, the client still waits). */
  beforeEnd?: () => Promise<void>;
}

export function isReceivePack(rest: string, query: string): boolean {
  return rest === '/git-receive-pack' || (rest === '/info/refs' && query.includes('service=git-receive-pack'));
}

/** Run one CGI exchange; resolves with the HTTP status sent once the response has ended. */
export function serveGit(g: GitHttpRequest): Promise<number> {
  return new Promise((resolve) => {
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: g.gitRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: `/${g.owner}/${g.name}.git${g.rest}`,
      REQUEST_METHOD: g.req.method ?? 'GET',
      QUERY_STRING: g.query,
      CONTENT_TYPE: g.req.headers['content-type'] ?? '',
      REMOTE_USER: g.user,
      REMOTE_ADDR: g.req.socket.remoteAddress ?? '127.0.0.1',
      GIT_HTTP_MAX_REQUEST_BUFFER: '100M',
      // pushes allowed, history never rewritten — for every repo, seeded or created, without touching its config
      ...servedRepoConfigEnv(),
    };
    // git clients gzip large request bodies; http-backend inflates them itself when told.
    const encoding = g.req.headers['content-encoding'];
    if (typeof encoding === 'string') env['HTTP_CONTENT_ENCODING'] = encoding;
    const protocol = g.req.headers['git-protocol'];
    if (typeof protocol === 'string') env['GIT_PROTOCOL'] = protocol;
    const length = g.req.headers['content-length'];
    if (typeof length === 'string') env['CONTENT_LENGTH'] = length;

    const child = spawn('/usr/lib/git-core/git-http-backend', [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let headerBuf = Buffer.alloc(0);
    let headersDone = false;
    let status = 200;
    let stderr = '';

    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString('utf8');
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        g.res.write(chunk);
        return;
      }
      headerBuf = Buffer.concat([headerBuf, chunk]);
      let end = headerBuf.indexOf('\r\n\r\n');
      let sep = 4;
      if (end === -1) {
        end = headerBuf.indexOf('\n\n');
        sep = 2;
      }
      if (end === -1) return;
      headersDone = true;
      for (const line of headerBuf.subarray(0, end).toString('utf8').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon === -1) continue;
        const key = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (key.toLowerCase() === 'status') status = Number(value.split(' ')[0]) || 500;
        else g.res.setHeader(key, value);
      }
      g.res.statusCode = status;
      g.res.write(headerBuf.subarray(end + sep));
    });
    child.on('close', async (code) => {
      if (!headersDone && !g.res.headersSent) {
        status = 500;
        g.res.statusCode = 500;
        g.res.setHeader('content-type', 'text/plain');
        g.res.write(`git http-backend failed (${code})\n`);
      }
      try {
        await g.beforeEnd?.();
      } finally {
        g.res.end();
        resolve(status);
      }
    });
    child.on('error', () => {
      if (!g.res.headersSent) g.res.statusCode = 500;
      g.res.end();
      resolve(500);
    });
    child.stdin.on('error', () => {
      // http-backend may stop reading early (e.g. a refused push); the response still completes.
    });
    g.req.pipe(child.stdin);
    void stderr;
  });
}
