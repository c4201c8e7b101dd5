// A local HTTP receiver that records what notification channels send and answers as scripted (tests and the demo).

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The exact bytes as text (signatures are computed over these). */
  raw: string;
  /** JSON bodies parsed; form bodies decoded with JSON-looking values parsed (as Slack's Web API client sends them). */
  body: Record<string, unknown> | undefined;
}

export interface ScriptedAnswer {
  status: number;
  body?: string | Record<string, unknown>;
}

export interface RecordingReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Answer the next requests with these, in order; afterwards `fallback` answers. */
  answerNext(...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

/**
 * `fallback` answers every request not scripted; the default mimics Slack: `ok` for incoming webhooks and
 * `{ ok: true, ts }` for Web API methods under `/api/`.
 */
export async function startRecordingReceiver(
  fallback?: (req: ReceivedRequest) => ScriptedAnswer,
): Promise<RecordingReceiver> {
  const received: ReceivedRequest[] = [];
  const queue: ScriptedAnswer[] = [];
  let ts = 1_700_000_000;
  const slackLike = (req: ReceivedRequest): ScriptedAnswer =>
    req.path.startsWith('/api/')
      ? { status: 200, body: { ok: true, channel: req.body?.['channel'] ?? 'C000', ts: `${++ts}.000100` } }
      : { status: 200, body: 'ok' };
  const answer = fallback ?? slackLike;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const record: ReceivedRequest = {
        method: req.method ?? 'GET',
        path: new URL(req.url ?? '/', 'http://127.0.0.1').pathname,
        headers: req.headers,
        raw,
        body: decode(raw, String(req.headers['content-type'] ?? '')),
      };
      received.push(record);
      const { status, body } = queue.shift() ?? answer(record);
      const text = typeof body === 'string' ? body : JSON.stringify(body ?? {});
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answerNext: (...answers) => {
      queue.push(...answers);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function decode(raw: string, contentType: string): Record<string, unknown> | undefined {
  if (!raw) return undefined;
  try {
    if (contentType.includes('json')) return JSON.parse(raw) as Record<string, unknown>;
    if (contentType.includes('x-www-form-urlencoded')) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of new URLSearchParams(raw)) {
        try {
          out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
        } catch {
          out[k] = v;
        }
      }
      return out;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
