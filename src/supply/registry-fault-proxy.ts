// A loopback HTTP proxy in front of a registry that answers 500 or hangs on demand (fault tests and benchmarks).

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface FaultProxy {
  host: string;
  /** Requests seen, in order (`HEAD /v2/…`). */
  seen: string[];
  /** The next `n` requests get `status` (e.g. 500) or, with `hang`, no answer at all. */
  fail(n: number, mode: { status: number } | { hang: true }): void;
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const seen: string[] = [];
  let failures = 0;
  let mode: { status: number } | { hang: true } = { status: 500 };
  const hanging = new Set<ServerResponse>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    if (failures > 0) {
      failures--;
      if ('hang' in mode) {
        hanging.add(res);
        return;
      }
      res.writeHead(mode.status, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNKNOWN","message":"injected"}]}');
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host') headers[k] = v;
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const answer = await fetch(`${upstream}${req.url}`, {
      method: req.method ?? 'GET',
      headers,
      ...(body && req.method !== 'GET' && req.method !== 'HEAD' ? { body: new Uint8Array(body) } : {}),
      redirect: 'manual',
    });
    const out: Record<string, string> = {};
    answer.headers.forEach((v, k) => {
      if (k !== 'content-encoding' && k !== 'transfer-encoding') out[k] = v;
    });
    const bytes = Buffer.from(await answer.arrayBuffer());
    if (out['location']) out['location'] = out['location'].replace(upstream, `http://${hostOf()}`);
    res.writeHead(answer.status, out);
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hostOf = () => {
    const a = server.address();
    return `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  };
  return {
    host: hostOf(),
    seen,
    fail(n, m) {
      failures = n;
      mode = m;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
