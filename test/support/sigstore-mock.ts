// A local Sigstore instance for tests: @sigstore/mock's Fulcio CA (with a CT log) and Rekor log behind a real HTTP
// server on loopback, plus the trusted_root.json a verifier needs for them and OIDC tokens for any identity.

import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fulcioHandler, initializeCA, initializeCTLog, initializeTLog, rekorHandler } from '@sigstore/mock';

export interface SigstoreMock {
  /** Fulcio and Rekor both answer here (`/api/v2/signingCert`, `/api/v1/log/entries`). */
  url: string;
  trustedRoot: Record<string, unknown>;
  /** Requests served, by path. */
  served: Map<string, number>;
  stop(): Promise<void>;
}

const keyPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const b64 = (bytes: ArrayBufferView | Buffer) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An OIDC identity token as a CI would hand one out; the mock Fulcio reads `iss` and `sub` without a signature check. */
export function oidcToken(identity: string, issuer: string): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: issuer, sub: identity, aud: 'sigstore', iat: now, exp: now + 600 };
  return `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.c2ln`;
}

export async function startSigstoreMock(): Promise<SigstoreMock> {
  const served = new Map<string, number>();
  let handlers: {
    path: string;
    fn: (body: string) => Promise<{ statusCode: number; response: unknown; contentType?: string }>;
  }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const handler = req.method === 'POST' ? handlers.find((h) => h.path === path) : undefined;
      if (!handler) {
        res.writeHead(404).end();
        return;
      }
      served.set(path, (served.get(path) ?? 0) + 1);
      const out = await handler.fn(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(out.statusCode, { 'content-type': out.contentType ?? 'application/json' });
      res.end(typeof out.response === 'string' ? out.response : Buffer.from(out.response as Uint8Array));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const ctLog = await initializeCTLog(keyPair());
  const ca = await initializeCA(keyPair(), ctLog);
  const tlog = await initializeTLog(url, keyPair());
  handlers = [fulcioHandler(ca), rekorHandler(tlog)];

  const start = new Date(Date.now() - 60_000).toISOString();
  const logKey = (publicKey: Buffer, keyId: ArrayBufferView) => ({
    baseUrl: url,
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: b64(publicKey), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
    logId: { keyId: b64(keyId) },
  });
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [logKey(tlog.publicKey, createHash('sha256').update(tlog.publicKey).digest())],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: url,
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start },
      },
    ],
    ctlogs: [logKey(ctLog.publicKey, ctLog.logID)],
    timestampAuthorities: [],
  };
  return {
    url,
    trustedRoot,
    served,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
