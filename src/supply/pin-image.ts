// Turns a mutable image tag into `name@sha256:…` by asking the registry, waiting (bounded) for a build still being pushed.

import { CutterError } from '../core/errors.js';
import { formatImageRef, imageRepository } from '../core/image-ref.js';
import { sleep } from '../deploy/backoff.js';
import { type RegistryClient, repositoryOf } from './registry-client.js';

export interface PinOptions {
  /** How long to wait for the tag to appear (default 5 minutes; 0 = ask once). */
  timeoutMs?: number;
  /** Pause between looks (default 2 s). */
  intervalMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  now?: () => number;
}

export interface PinnedImage {
  /** What was asked for, e.g. `ghcr.io/acme/connector-x:1.4.2`. */
  requested: string;
  /** `ghcr.io/acme/connector-x@sha256:…`: what the roll-out driver receives. */
  pinned: string;
  digest: string;
  mediaType: string;
}

/** Resolve `ref` to its digest; the reference is validated before any request; a digest reference is checked as-is. */
export async function pinImage(client: RegistryClient, ref: string, options: PinOptions = {}): Promise<PinnedImage> {
  const repo = repositoryOf(ref);
  const requested = formatImageRef(repo.ref);
  const now = options.now ?? Date.now;
  const deadline = now() + (options.timeoutMs ?? 300_000);
  const interval = options.intervalMs ?? 2_000;
  for (let look = 1; ; look++) {
    const found = await client.resolve(repo.ref);
    if (found) {
      if (repo.ref.digest && found.digest !== repo.ref.digest) {
        throw new CutterError('CUTTER_DEPLOY_FAILED', `${requested} resolves to ${found.digest}`, {
          hint: 'the registry serves another manifest than the pinned digest; do not roll it out',
        });
      }
      return {
        requested,
        pinned: `${imageRepository(repo.ref)}@${found.digest}`,
        digest: found.digest,
        mediaType: found.mediaType,
      };
    }
    if (now() + interval > deadline) {
      throw new CutterError('CUTTER_NOT_FOUND', `image ${requested} not found in the registry`, {
        hint: 'the build has not pushed it yet (or pushed another tag); retry the roll-out step once it exists',
        details: { image: requested, looks: look },
      });
    }
    options.log?.(`image ${requested} not in the registry yet (look ${look}); waiting ${interval}ms`);
    await sleep(interval, options.signal);
  }
}
