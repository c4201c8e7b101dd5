// A streamed body (an asset download) is read once: the client's ETag cache must never keep it or answer with it.

import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearSecrets } from '../core/redact.js';
import { streamAsset } from '../supply/release-assets.js';
import { createGitHubClient } from './client.js';

const bytes = Buffer.from('connector-x binary\n'.repeat(1000));
const etag = '"asset-etag-1"';
const conditional: (string | undefined)[] = [];
// Like GitHub's storage host after the redirect: the bytes with an ETag, and 304 for a matching If-None-Match.
const server = createServer((req, res) => {
  conditional.push(req.headers['if-none-match']);
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag });
    res.end();
    return;
  }
  res.writeHead(200, { etag, 'content-type': 'application/octet-stream', 'content-length': bytes.length });
  res.end(bytes);
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  clearSecrets();
});

describe('the ETag cache and streamed bodies', () => {
  it('downloads an asset afresh each time instead of answering a 304 with a stream already read', async () => {
    const gh = await createGitHubClient({ baseUrl: url, token: 'ghp_etag_stream_test_token_1', env: {}, retries: 0 });
    const want = createHash('sha256').update(bytes).digest('hex');
    const repo = { owner: 'acme', name: 'connector-x' };
    const first = await streamAsset(gh, repo, 7, true);
    const second = await streamAsset(gh, repo, 7, true);
    expect(first.sha256).toBe(want);
    expect(second.sha256).toBe(want);
    expect(second.bytes?.equals(bytes)).toBe(true);
    expect(conditional).toEqual([undefined, undefined]);
  });
});
