// Container image references (`registry/name:tag@sha256:…`): parse, validate and format, following the OCI/Docker grammar.

import { CutterError } from './errors.js';

export interface ImageRef {
  /** `ghcr.io`, `localhost:5000`; null for a short name such as `nginx` or `acme/app` (we never invent `docker.io`). */
  registry: string | null;
  /** The repository path without the registry: `acme/connector-x`. */
  path: string;
  tag: string | null;
  /** `sha256:<64 hex>` (or another registered algorithm), or null. */
  digest: string | null;
}

/** Lower-case path components joined by `.`, `_`, `__` or dashes (the distribution spec's grammar). */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
/** A DNS name or IPv4 host, an optional port. Bracketed IPv6 is accepted as written. */
const REGISTRY =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;
/** The whole reference stays short and printable: no spaces, quotes, shell or YAML metacharacters can sneak in. */
const MAX_LENGTH = 512;

function bad(input: string, why: string): CutterError {
  return new CutterError('CUTTER_BAD_INPUT', `invalid image reference ${JSON.stringify(input.slice(0, 80))}: ${why}`, {
    hint: 'use the form registry/name:tag or registry/name@sha256:<64 hex>, e.g. ghcr.io/acme/connector-x:1.4.2',
  });
}

/** Parse an image reference; throws `CUTTER_BAD_INPUT` on anything that is not a well-formed reference. */
export function parseImageRef(input: string): ImageRef {
  if (typeof input !== 'string' || input.length === 0) throw bad(String(input), 'empty');
  if (input.length > MAX_LENGTH) throw bad(input, `longer than ${MAX_LENGTH} characters`);
  // Only the characters the grammar can ever use; rejects whitespace, quotes, `$`, `;`, newlines, unicode look-alikes.
  if (!/^[A-Za-z0-9._:@/\-[\]=+]+$/.test(input))
    throw bad(input, 'contains characters not allowed in an image reference');

  let rest = input;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(input, 'malformed digest');
    if (digest.startsWith('sha256:') && !SHA256.test(digest))
      throw bad(input, 'a sha256 digest is 64 lower-case hex digits');
  }

  let tag: string | null = null;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag))
      throw bad(input, 'malformed tag (letters, digits, `_`, `.`, `-`; at most 128; not starting with `.` or `-`)');
  }

  const parts = rest.split('/');
  let registry: string | null = null;
  const first = parts[0] ?? '';
  // Docker's rule: the first component is a registry when it has a dot or a port, or is `localhost`.
  if (
    parts.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))
  ) {
    registry = first;
    parts.shift();
    if (!REGISTRY.test(registry)) throw bad(input, 'malformed registry host');
  }
  if (parts.length === 0 || parts.some((p) => !PATH_COMPONENT.test(p))) {
    throw bad(input, 'the repository name must be lower-case components separated by `/`');
  }
  const path = parts.join('/');
  if ((registry ? registry.length + 1 : 0) + path.length > 255) throw bad(input, 'repository name longer than 255');
  return { registry, path, tag, digest };
}

/** `registry/path` without tag or digest: the identity used to find an image in manifests. */
export function imageRepository(ref: Pick<ImageRef, 'registry' | 'path'>): string {
  return ref.registry ? `${ref.registry}/${ref.path}` : ref.path;
}

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * The repository as the registry sees it, so `nginx`, `docker.io/nginx` and `docker.io/library/nginx` compare equal
 * (Docker Hub's implicit registry and `library/` namespace); other registries compare as written.
 */
export function canonicalRepository(ref: Pick<ImageRef, 'registry' | 'path'>): string {
  if (ref.registry !== null && !DOCKER_HUB.has(ref.registry)) return imageRepository(ref);
  return `docker.io/${ref.path.includes('/') ? ref.path : `library/${ref.path}`}`;
}

/** Format back to the canonical string; `parseImageRef(formatImageRef(r))` round-trips. */
export function formatImageRef(ref: ImageRef): string {
  return `${imageRepository(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** True when the string is a well-formed reference. */
export function isImageRef(input: string): boolean {
  try {
    parseImageRef(input);
    return true;
  } catch {
    return false;
  }
}

/** Validate a bare tag (`1.4.2`) before it is written anywhere. */
export function assertImageTag(tag: string): string {
  if (typeof tag !== 'string' || !TAG.test(tag)) throw bad(String(tag), 'malformed tag');
  return tag;
}

/** Validate a bare digest (`sha256:…`). */
export function assertImageDigest(digest: string): string {
  if (typeof digest !== 'string' || !DIGEST.test(digest) || (digest.startsWith('sha256:') && !SHA256.test(digest))) {
    throw bad(String(digest), 'malformed digest');
  }
  return digest;
}
