import { describe, expect, it } from 'vitest';
import { isCutterError } from './errors.js';
import {
  assertImageTag,
  canonicalRepository,
  formatImageRef,
  imageRepository,
  isImageRef,
  parseImageRef,
} from './image-ref.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('parseImageRef', () => {
  it('splits a registry image with tag and digest into its parts', () => {
    const ref = parseImageRef(`ghcr.io/acme/connector-x:1.4.2@${DIGEST}`);
    expect(ref).toEqual({ registry: 'ghcr.io', path: 'acme/connector-x', tag: '1.4.2', digest: DIGEST });
    expect(imageRepository(ref)).toBe('ghcr.io/acme/connector-x');
  });

  it('keeps short Docker Hub names as written instead of inventing docker.io', () => {
    expect(parseImageRef('nginx')).toEqual({ registry: null, path: 'nginx', tag: null, digest: null });
    expect(parseImageRef('acme/app:latest')).toEqual({ registry: null, path: 'acme/app', tag: 'latest', digest: null });
  });

  it('tells a registry port from a tag', () => {
    expect(parseImageRef('localhost:5000/app')).toEqual({
      registry: 'localhost:5000',
      path: 'app',
      tag: null,
      digest: null,
    });
    expect(parseImageRef('registry.internal:5000/team/app:2.0.0-rc.1').tag).toBe('2.0.0-rc.1');
  });

  it('round-trips through formatImageRef', () => {
    for (const s of [
      'ghcr.io/acme/connector-x:1.4.2',
      `quay.io/a/b@${DIGEST}`,
      'busybox',
      'localhost:5000/x/y_z__w:v1',
    ]) {
      expect(formatImageRef(parseImageRef(s))).toBe(s);
    }
  });

  it.each([
    ['', 'empty'],
    ['ghcr.io/acme/app:1.0; rm -rf /', 'shell metacharacters'],
    ['ghcr.io/acme/app:$(whoami)', 'command substitution'],
    ['ghcr.io/acme/app:1.0\nimage: evil', 'a newline that would inject YAML'],
    ['ghcr.io/acme/App:1.0', 'upper-case repository'],
    ['ghcr.io/acme/app:.hidden', 'a tag starting with a dot'],
    ['ghcr.io/acme/app:1.0@sha256:abc', 'a short sha256 digest'],
    ['ghcr.io//app', 'an empty path component'],
    ['ghcr.io/acme/app "quoted"', 'quotes and spaces'],
    [`ghcr.io/acme/app:${'x'.repeat(129)}`, 'a tag over 128 characters'],
    ['ghcr.io/acme/ａpp', 'unicode look-alikes'],
  ])('rejects %j (%s) with CUTTER_BAD_INPUT', (input) => {
    expect(isImageRef(input)).toBe(false);
    try {
      parseImageRef(input);
      expect.unreachable();
    } catch (err) {
      expect(isCutterError(err, 'CUTTER_BAD_INPUT')).toBe(true);
    }
  });

  it('treats Docker Hub short names and their full form as the same repository', () => {
    const canon = (s: string) => canonicalRepository(parseImageRef(s));
    expect(
      new Set(['nginx', 'docker.io/nginx', 'docker.io/library/nginx:1.25', 'index.docker.io/library/nginx'].map(canon)),
    ).toEqual(new Set(['docker.io/library/nginx']));
    expect(canon('acme/app')).toBe('docker.io/acme/app');
    expect(canon('ghcr.io/acme/app')).toBe('ghcr.io/acme/app');
    expect(canon('ghcr.io/nginx')).not.toBe(canon('nginx'));
  });

  it('validates bare tags before they are written anywhere', () => {
    expect(assertImageTag('1.4.2')).toBe('1.4.2');
    expect(() => assertImageTag('1.4.2 && true')).toThrow(/invalid image reference/);
  });
});
