// Builds small OCI images without a container daemon (an in-memory OCI image layout) and pushes them to a registry.

import { gzipSync } from 'node:zlib';
import { OCI_MANIFEST, type RegistryClient, type Repository, sha256Digest } from './registry-client.js';

export interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
}

/** An OCI image layout held in memory: the blobs by digest and the image manifest that ties them together. */
export interface OciLayout {
  blobs: Map<string, Buffer>;
  manifest: Buffer;
  manifestDigest: string;
}

/** One regular file in a POSIX ustar archive (512-byte header, data padded to 512, two zero blocks). */
export function tarOneFile(name: string, content: Buffer, mtime = 0): Buffer {
  const header = Buffer.alloc(512);
  header.write(name.slice(0, 99), 0, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write(`${mtime.toString(8).padStart(11, '0')}\0`, 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

/** A manifest whose layers are `files` (one tar.gz each), deterministic for the same inputs. */
export function buildImageLayout(input: {
  files: Record<string, string | Buffer>;
  labels?: Record<string, string>;
  created?: string;
}): OciLayout {
  const blobs = new Map<string, Buffer>();
  const add = (bytes: Buffer) => {
    const digest = sha256Digest(bytes);
    blobs.set(digest, bytes);
    return digest;
  };
  const layers: OciDescriptor[] = [];
  const diffIds: string[] = [];
  for (const [name, content] of Object.entries(input.files)) {
    const tar = tarOneFile(name, Buffer.isBuffer(content) ? content : Buffer.from(content));
    diffIds.push(sha256Digest(tar));
    const gz = gzipSync(tar, { level: 9 });
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: add(gz), size: gz.length });
  }
  const config = Buffer.from(
    JSON.stringify({
      created: input.created ?? '1970-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: input.labels ?? {} },
      rootfs: { type: 'layers', diff_ids: diffIds },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: add(config), size: config.length },
      layers,
    }),
  );
  return { blobs, manifest, manifestDigest: sha256Digest(manifest) };
}

/** Push every blob, then the manifest under `tag`; returns the manifest digest the registry reports. */
export async function pushImageLayout(
  client: RegistryClient,
  repo: Repository,
  layout: OciLayout,
  tag: string,
): Promise<string> {
  for (const bytes of layout.blobs.values()) await client.pushBlob(repo, bytes);
  return client.putManifest(repo, tag, layout.manifest, OCI_MANIFEST);
}

/**
 * An artifact manifest the way cosign writes its `.sig`/`.att`/`.sbom` tags: an empty-ish config and one layer per
 * payload, with annotations (cosign keeps the signature in `dev.cosignproject.cosign/signature`).
 */
export async function pushArtifact(
  client: RegistryClient,
  repo: Repository,
  tag: string,
  layers: { mediaType: string; bytes: Buffer; annotations?: Record<string, string> }[],
  configMediaType = 'application/vnd.oci.image.config.v1+json',
): Promise<string> {
  const config = Buffer.from('{}');
  await client.pushBlob(repo, config);
  const descriptors: OciDescriptor[] = [];
  for (const layer of layers) {
    const digest = await client.pushBlob(repo, layer.bytes);
    descriptors.push({
      mediaType: layer.mediaType,
      digest,
      size: layer.bytes.length,
      ...(layer.annotations ? { annotations: layer.annotations } : {}),
    });
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: configMediaType, digest: sha256Digest(config), size: config.length },
      layers: descriptors,
    }),
  );
  return client.putManifest(repo, tag, manifest, OCI_MANIFEST);
}
