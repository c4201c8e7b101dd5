// An OCI Distribution API client (manifests and blobs) over fetch, with per-request timeouts and retries on 5xx/timeouts.

import { createHash } from 'node:crypto';
import { CutterError } from '../core/errors.js';
import { formatImageRef, type ImageRef, parseImageRef } from '../core/image-ref.js';
import { redact } from '../core/redact.js';
import { type BackoffOptions, withBackoff } from '../deploy/backoff.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** Every manifest kind we can read; without it a registry may answer with a legacy schema-1 manifest and digest. */
export const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST].join(', ');

export interface RegistryClientOptions {
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Retries after the first attempt on 5xx, 429, timeouts and network errors (default 3). */
  retries?: number;
  backoffMs?: number;
  /** Plain HTTP for these hosts; loopback hosts always use it (the local registry has no TLS). */
  plainHttpHosts?: string[];
  onRetry?: BackoffOptions['onRetry'];
  sleep?: BackoffOptions['sleep'];
  signal?: AbortSignal;
}

export interface ManifestInfo {
  digest: string;
  mediaType: string;
  size: number;
}

export interface Manifest extends ManifestInfo {
  body: Buffer;
}

/** `registry/path` of an image, validated; a reference must name its registry (we never invent docker.io). */
export interface Repository {
  registry: string;
  path: string;
}

export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Parse and check a reference before any request is made; hostile characters never reach a URL. */
export function repositoryOf(ref: string | ImageRef): Repository & { ref: ImageRef } {
  const parsed = typeof ref === 'string' ? parseImageRef(ref) : ref;
  if (!parsed.registry) {
    throw new CutterError('CUTTER_BAD_INPUT', `image reference ${formatImageRef(parsed)} names no registry host`, {
      hint: 'write the registry explicitly, e.g. ghcr.io/acme/connector-x:1.0.0 or 127.0.0.1:5000/acme/connector-x:1.0.0',
    });
  }
  return { registry: parsed.registry, path: parsed.path, ref: parsed };
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

export interface RegistryClient {
  /** The manifest digest a tag (or digest) names, or null when the registry has no such manifest. */
  resolve(ref: string | ImageRef): Promise<ManifestInfo | null>;
  getManifest(repo: Repository, reference: string): Promise<Manifest | null>;
  putManifest(repo: Repository, reference: string, body: Buffer, mediaType: string): Promise<string>;
  hasBlob(repo: Repository, digest: string): Promise<boolean>;
  pushBlob(repo: Repository, bytes: Buffer): Promise<string>;
  getBlob(repo: Repository, digest: string): Promise<Buffer>;
  /** Tags of a repository (the cosign `.sig`/`.att`/`.sbom` tags live there too). */
  listTags(repo: Repository): Promise<string[]>;
}

interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
}

export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const plain = new Set(options.plainHttpHosts ?? []);
  const base = (repo: Repository) =>
    `${isLoopback(repo.registry) || plain.has(repo.registry) ? 'http' : 'https'}://${repo.registry}/v2/${repo.path}`;

  async function once(method: string, url: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const where = `${method} ${redact(url)}`;
    let res: Response;
    let bytes: Buffer;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body ? { body: new Uint8Array(body) } : {}),
        signal,
        redirect: 'follow',
      });
      bytes = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      if (options.signal?.aborted) throw new CutterError('CUTTER_DEPLOY_FAILED', `${where} cancelled`);
      const why = timeout.aborted
        ? `timed out after ${timeoutMs}ms`
        : `failed: ${redact(err instanceof Error ? String((err.cause as Error | undefined)?.message ?? err.message) : String(err))}`;
      throw new CutterError('CUTTER_DEPLOY_FAILED', `registry ${where} ${why}`, {
        transient: true,
        hint: 'the registry is slow or unreachable; check its address or retry later',
        details: { reason: timeout.aborted ? 'timeout' : 'network' },
      });
    }
    if (res.status >= 500 || res.status === 429) {
      throw new CutterError('CUTTER_DEPLOY_FAILED', `registry ${where} answered ${res.status}`, {
        transient: true,
        hint: 'the registry failed; retry later',
        details: { status: res.status },
      });
    }
    return { status: res.status, headers: res.headers, body: bytes };
  }

  async function call(method: string, url: string, headers: Record<string, string> = {}, body?: Buffer) {
    const { value } = await withBackoff(() => once(method, url, headers, body), {
      retries: options.retries ?? 3,
      baseMs: options.backoffMs ?? 200,
      maxMs: 5_000,
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return value;
  }

  function refused(what: string, answer: Answer): CutterError {
    const text = redact(answer.body.toString('utf8').replace(/\s+/g, ' ').slice(0, 200));
    return new CutterError('CUTTER_DEPLOY_FAILED', `registry refused ${what}: ${answer.status} ${text}`, {
      details: { status: answer.status },
    });
  }

  function checkReference(reference: string): string {
    // A tag or a digest, nothing else: both grammars exclude `/`, `?`, `#` and whitespace.
    if (!/^(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,})$/.test(reference)) {
      throw new CutterError('CUTTER_BAD_INPUT', `invalid tag or digest ${JSON.stringify(reference.slice(0, 80))}`);
    }
    return reference;
  }

  const client: RegistryClient = {
    async resolve(ref) {
      const repo = repositoryOf(ref);
      const reference = repo.ref.digest ?? repo.ref.tag ?? 'latest';
      const answer = await call('HEAD', `${base(repo)}/manifests/${checkReference(reference)}`, {
        accept: MANIFEST_ACCEPT,
      });
      if (answer.status === 404) return null;
      if (answer.status !== 200) throw refused(`HEAD ${formatImageRef(repo.ref)}`, answer);
      const digest = answer.headers.get('docker-content-digest');
      if (!digest) {
        // Some registries omit the header on HEAD: the digest of the exact bytes is the truth.
        const manifest = await client.getManifest(repo, reference);
        return manifest ? { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size } : null;
      }
      return {
        digest,
        mediaType: answer.headers.get('content-type') ?? '',
        size: Number(answer.headers.get('content-length') ?? 0),
      };
    },
    async getManifest(repo, reference) {
      const answer = await call('GET', `${base(repo)}/manifests/${checkReference(reference)}`, {
        accept: MANIFEST_ACCEPT,
      });
      if (answer.status === 404) return null;
      if (answer.status !== 200) throw refused(`GET manifest ${reference}`, answer);
      const digest = sha256Digest(answer.body);
      if (reference.startsWith('sha256:') && digest !== reference) {
        throw new CutterError('CUTTER_DEPLOY_FAILED', `registry served manifest ${digest} for ${reference}`, {
          hint: 'the registry content does not match its digest; do not trust this registry',
        });
      }
      return {
        digest,
        mediaType: answer.headers.get('content-type') ?? '',
        size: answer.body.length,
        body: answer.body,
      };
    },
    async putManifest(repo, reference, body, mediaType) {
      const answer = await call(
        'PUT',
        `${base(repo)}/manifests/${checkReference(reference)}`,
        { 'content-type': mediaType },
        body,
      );
      if (answer.status !== 201 && answer.status !== 200) throw refused(`PUT manifest ${reference}`, answer);
      return answer.headers.get('docker-content-digest') ?? sha256Digest(body);
    },
    async hasBlob(repo, digest) {
      const answer = await call('HEAD', `${base(repo)}/blobs/${checkReference(digest)}`);
      return answer.status === 200;
    },
    async pushBlob(repo, bytes) {
      const digest = sha256Digest(bytes);
      if (await client.hasBlob(repo, digest)) return digest;
      const start = await call('POST', `${base(repo)}/blobs/uploads/`, { 'content-length': '0' });
      const location = start.headers.get('location');
      if (start.status !== 202 || !location) throw refused('blob upload', start);
      const url = new URL(location, base(repo));
      url.searchParams.set('digest', digest);
      const put = await call(
        'PUT',
        url.toString(),
        { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
        bytes,
      );
      if (put.status !== 201) throw refused(`blob ${digest}`, put);
      return digest;
    },
    async getBlob(repo, digest) {
      const answer = await call('GET', `${base(repo)}/blobs/${checkReference(digest)}`);
      if (answer.status !== 200) throw refused(`GET blob ${digest}`, answer);
      if (sha256Digest(answer.body) !== digest) {
        throw new CutterError('CUTTER_DEPLOY_FAILED', `registry blob ${digest} does not match its digest`);
      }
      return answer.body;
    },
    async listTags(repo) {
      const answer = await call('GET', `${base(repo)}/tags/list?n=1000`, { accept: 'application/json' });
      if (answer.status === 404) return [];
      if (answer.status !== 200) throw refused('tag list', answer);
      const parsed = JSON.parse(answer.body.toString('utf8')) as { tags?: string[] | null };
      return parsed.tags ?? [];
    },
  };
  return client;
}
