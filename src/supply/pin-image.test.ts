import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCutterError } from '../core/errors.js';
import { type LocalRegistry, startLocalRegistry } from './local-registry.js';
import { buildImageLayout, pushImageLayout } from './oci-image.js';
import { pinImage } from './pin-image.js';
import { createRegistryClient, MANIFEST_ACCEPT } from './registry-client.js';
import { type FaultProxy, startFaultProxy } from './registry-fault-proxy.js';

let registry: LocalRegistry;
let proxy: FaultProxy;
const fast = { retries: 2, backoffMs: 5, timeoutMs: 2_000 };

beforeAll(async () => {
  registry = await startLocalRegistry();
  proxy = await startFaultProxy(registry.url);
});
afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
});

describe('images in a real registry', () => {
  it('pushes an OCI image layout over the HTTP API and resolves its tag to the manifest digest', async () => {
    const client = createRegistryClient(fast);
    const layout = buildImageLayout({ files: { 'app/VERSION': '1.0.0\n' }, labels: { repo: 'connector-a' } });
    const repo = { registry: registry.host, path: 'acme/connector-a' };
    const pushed = await pushImageLayout(client, repo, layout, '1.0.0');
    expect(pushed).toBe(layout.manifestDigest);

    const pin = await pinImage(client, `${registry.host}/acme/connector-a:1.0.0`, { timeoutMs: 0 });
    expect(pin.digest).toBe(layout.manifestDigest);
    expect(pin.pinned).toBe(`${registry.host}/acme/connector-a@${layout.manifestDigest}`);
    // The registry itself serves the same bytes when asked with the manifest Accept header.
    const res = await fetch(`${registry.url}/v2/acme/connector-a/manifests/1.0.0`, {
      headers: { accept: MANIFEST_ACCEPT },
    });
    expect(res.headers.get('docker-content-digest')).toBe(layout.manifestDigest);
    expect(Buffer.from(await res.arrayBuffer()).equals(layout.manifest)).toBe(true);
  });

  it('waits for a tag the build pushes late, then pins it', async () => {
    const client = createRegistryClient(fast);
    const layout = buildImageLayout({ files: { VERSION: '2.0.0\n' } });
    const repo = { registry: registry.host, path: 'acme/connector-late' };
    const lines: string[] = [];
    const later = new Promise((r) => setTimeout(r, 300)).then(() => pushImageLayout(client, repo, layout, '2.0.0'));
    const pin = await pinImage(client, `${registry.host}/acme/connector-late:2.0.0`, {
      timeoutMs: 10_000,
      intervalMs: 100,
      log: (l) => lines.push(l),
    });
    await later;
    expect(pin.digest).toBe(layout.manifestDigest);
    expect(lines[0]).toMatch(/not in the registry yet/);
  });

  it('fails with the reference it looked for when the image never appears', async () => {
    const client = createRegistryClient(fast);
    const ref = `${registry.host}/acme/connector-missing:9.9.9`;
    const err = await pinImage(client, ref, { timeoutMs: 300, intervalMs: 100 }).catch((e) => e);
    expect(isCutterError(err, 'CUTTER_NOT_FOUND')).toBe(true);
    expect(err.message).toContain(ref);
  });

  it('retries a registry that answers 500, then succeeds', async () => {
    const client = createRegistryClient(fast);
    const layout = buildImageLayout({ files: { VERSION: '3.0.0\n' } });
    await pushImageLayout(client, { registry: registry.host, path: 'acme/connector-flaky' }, layout, '3.0.0');
    proxy.fail(2, { status: 500 });
    const pin = await pinImage(client, `${proxy.host}/acme/connector-flaky:3.0.0`, { timeoutMs: 0 });
    expect(pin.digest).toBe(layout.manifestDigest);
  });

  it('gives up with a clear error after retrying a registry that keeps answering 500', async () => {
    const client = createRegistryClient(fast);
    proxy.fail(10, { status: 500 });
    const err = await pinImage(client, `${proxy.host}/acme/connector-flaky:3.0.0`, { timeoutMs: 0 }).catch((e) => e);
    proxy.fail(0, { status: 500 });
    expect(isCutterError(err, 'CUTTER_DEPLOY_FAILED')).toBe(true);
    expect(err.message).toMatch(/answered 500/);
    expect(err.details.attempts).toBe(3);
  });

  it('gives up with a clear error when the registry does not answer in time', async () => {
    const client = createRegistryClient({ retries: 1, backoffMs: 5, timeoutMs: 300 });
    proxy.fail(10, { hang: true });
    const err = await pinImage(client, `${proxy.host}/acme/connector-flaky:3.0.0`, { timeoutMs: 0 }).catch((e) => e);
    proxy.fail(0, { status: 500 });
    expect(isCutterError(err, 'CUTTER_DEPLOY_FAILED')).toBe(true);
    expect(err.message).toMatch(/timed out after 300ms/);
  });

  it.each([
    'HOST/acme/x:1.0.0 ; rm -rf /',
    `127.0.0.1:1/acme/x:1.0.0?x=1`,
    '127.0.0.1:1/acme/../x:1.0.0',
    '127.0.0.1:1/acme/x:1.0.0\nHost: evil',
    '127.0.0.1:1/acme/x#frag',
    'acme/x:1.0.0',
  ])('rejects the hostile reference %j before any request', async (ref) => {
    const before = proxy.seen.length;
    const client = createRegistryClient(fast);
    const err = await pinImage(client, ref.replace('127.0.0.1:1', proxy.host), { timeoutMs: 0 }).catch((e) => e);
    expect(isCutterError(err, 'CUTTER_BAD_INPUT')).toBe(true);
    expect(proxy.seen.length).toBe(before);
  });
});
