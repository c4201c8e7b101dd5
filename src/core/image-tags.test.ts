import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { isCutterError } from './errors.js';
import { bumpImageTag } from './image-tags.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/image-tags/${name}`, import.meta.url), 'utf8');
const IMAGE = 'ghcr.io/acme/connector-x';

/** Every line that differs between two texts, as [before, after] pairs (texts with the same line count). */
function changedLines(before: string, after: string): Array<[string, string]> {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length).toBe(a.length);
  return a.flatMap((line, i) => (line === b[i] ? [] : ([[line, b[i] ?? '']] as Array<[string, string]>)));
}

describe('bumpImageTag in Kubernetes manifests', () => {
  const original = fixture('deployment.yaml');

  it('bumps containers and initContainers in every document and leaves every other byte alone', () => {
    const result = bumpImageTag(original, { image: IMAGE, tag: '1.4.2' });
    expect(result.changed).toBe(3);
    const lines = changedLines(original, result.text);
    expect(lines).toEqual([
      [
        '        image: ghcr.io/acme/connector-x:1.4.1   # same image runs migrations',
        '        image: ghcr.io/acme/connector-x:1.4.2   # same image runs migrations',
      ],
      [
        `          image: "ghcr.io/acme/connector-x:1.4.1@sha256:${'0123456789abcdef'.repeat(4)}"`,
        '          image: "ghcr.io/acme/connector-x:1.4.2"',
      ],
      ['            - image: ghcr.io/acme/connector-x:1.4.1', '            - image: ghcr.io/acme/connector-x:1.4.2'],
    ]);
    expect(result.edits.map((e) => e.where)).toEqual([
      'doc 0: spec.template.spec.initContainers.image',
      'doc 0: spec.template.spec.containers.image',
      'doc 1: spec.jobTemplate.spec.template.spec.containers.image',
    ]);
  });

  it('pins the new digest when one is given', () => {
    const digest = `sha256:${'f'.repeat(64)}`;
    const result = bumpImageTag(original, { image: IMAGE, tag: '1.4.2', digest });
    expect(result.text).toContain(`"ghcr.io/acme/connector-x:1.4.2@${digest}"`);
  });

  it('is a no-op the second time: same image twice changes nothing', () => {
    const once = bumpImageTag(original, { image: IMAGE, tag: '1.4.2' });
    const twice = bumpImageTag(once.text, { image: IMAGE, tag: '1.4.2' });
    expect(twice).toEqual({ text: once.text, changed: 0, edits: [] });
  });

  it('never touches other images, even ones sharing a prefix', () => {
    const result = bumpImageTag(original, { image: 'ghcr.io/acme/connector', tag: '9.9.9' });
    expect(result.changed).toBe(0);
    expect(result.text).toBe(original);
  });

  it('keeps the YAML meaning identical apart from the image values', () => {
    const result = bumpImageTag(original, { image: IMAGE, tag: '1.4.2' });
    const before = parseAllDocuments(original).map((d) => JSON.stringify(d.toJS()));
    const after = parseAllDocuments(result.text).map((d) => JSON.stringify(d.toJS()));
    expect(after).toEqual(
      before.map((s) => s.replace(/connector-x:1\.4\.1(@sha256:[0-9a-f]{64})?/g, 'connector-x:1.4.2')),
    );
  });
});

describe('bumpImageTag in Helm values', () => {
  const original = fixture('values.yaml');

  it('sets image.tag next to a matching repository (also registry + repository) and keeps quoting and comments', () => {
    const result = bumpImageTag(original, { image: IMAGE, tag: '1.4.2' });
    expect(result.changed).toBe(2);
    expect(changedLines(original, result.text)).toEqual([
      ['  tag: "1.4.1"', '  tag: "1.4.2"'],
      ['    tag: 1.4.1 # plain on purpose', '    tag: 1.4.2 # plain on purpose'],
    ]);
  });

  it('quotes a plain tag that YAML would otherwise read as a number', () => {
    const result = bumpImageTag(original, { image: 'docker.io/library/nginx', tag: '1.30' });
    expect(changedLines(original, result.text)).toEqual([['    tag: 1.25.3', '    tag: "1.30"']]);
  });

  it('finds a Docker Hub image however it is spelled', () => {
    const result = bumpImageTag(original, { image: 'nginx', tag: '1.27.0' });
    expect(changedLines(original, result.text)).toEqual([['    tag: 1.25.3', '    tag: 1.27.0']]);
    const manifest = 'containers:\n  - image: nginx:1.25 # proxy\n  - image: docker.io/acme/nginx:1.0\n';
    expect(bumpImageTag(manifest, { image: 'docker.io/library/nginx', tag: '1.27.0' }).text).toBe(
      'containers:\n  - image: nginx:1.27.0 # proxy\n  - image: docker.io/acme/nginx:1.0\n',
    );
  });

  it('fills an empty tag and adds a missing one under the repository line', () => {
    const empty = 'image:\n  repository: ghcr.io/acme/connector-x\n  tag:\n  pullPolicy: Always\n';
    expect(bumpImageTag(empty, { image: IMAGE, tag: '2.0.0' }).text).toBe(
      'image:\n  repository: ghcr.io/acme/connector-x\n  tag: 2.0.0\n  pullPolicy: Always\n',
    );
    const missing = 'image:\n    repository: ghcr.io/acme/connector-x # here\n    pullPolicy: Always\n';
    expect(bumpImageTag(missing, { image: IMAGE, tag: '2.0.0' }).text).toBe(
      'image:\n    repository: ghcr.io/acme/connector-x # here\n    tag: 2.0.0\n    pullPolicy: Always\n',
    );
  });
});

describe('bumpImageTag in kustomize images', () => {
  const original = fixture('kustomization.yaml');

  it('sets newTag on the entry whose newName (or name) is the image', () => {
    const result = bumpImageTag(original, { image: IMAGE, tag: '1.4.2' });
    expect(changedLines(original, result.text)).toEqual([['    newTag: 1.4.1', '    newTag: 1.4.2']]);
  });

  it('adds newTag to an entry that has none, at the same indentation', () => {
    const result = bumpImageTag(original, { image: 'ghcr.io/acme/connector-x-worker', tag: '3.1.0' });
    expect(result.text).toBe(`${original}    newTag: 3.1.0\n`); // the entry is the last line of the file
    expect(result.changed).toBe(1);
  });

  it('handles flow-style entries', () => {
    const text = 'images: [{name: ghcr.io/acme/connector-x}]\n';
    expect(bumpImageTag(text, { image: IMAGE, tag: '1.0.0' }).text).toBe(
      'images: [{name: ghcr.io/acme/connector-x, newTag: 1.0.0}]\n',
    );
  });

  it('preserves CRLF line endings', () => {
    const text = 'images:\r\n  - name: ghcr.io/acme/connector-x\r\n    newTag: 1.0.0\r\n';
    expect(bumpImageTag(text, { image: IMAGE, tag: '1.0.1' }).text).toBe(text.replace('1.0.0', '1.0.1'));
  });
});

describe('bumpImageTag refuses bad input', () => {
  it('rejects a hostile tag before touching the text', () => {
    expect(() => bumpImageTag('image: ghcr.io/acme/connector-x:1\n', { image: IMAGE, tag: '1\nevil: true' })).toThrow(
      /invalid image reference/,
    );
  });

  it('rejects an invalid image name', () => {
    expect(() => bumpImageTag('a: 1\n', { image: 'Not An Image', tag: '1.0.0' })).toThrow(/invalid image reference/);
  });

  it('reports YAML that does not parse with CUTTER_BAD_INPUT', () => {
    try {
      bumpImageTag('image: [ghcr.io/acme/connector-x:1\n', { image: IMAGE, tag: '1.0.0' });
      expect.unreachable();
    } catch (err) {
      expect(isCutterError(err, 'CUTTER_BAD_INPUT')).toBe(true);
    }
  });

  it('does not even parse a file that never mentions the image', () => {
    expect(bumpImageTag('broken: [yaml\n', { image: IMAGE, tag: '1.0.0' })).toEqual({
      text: 'broken: [yaml\n',
      changed: 0,
      edits: [],
    });
  });

  it('leaves templated image values alone', () => {
    const text = 'image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n';
    expect(bumpImageTag(text, { image: IMAGE, tag: '1.0.0' })).toEqual({ text, changed: 0, edits: [] });
  });

  it('returns an empty file unchanged', () => {
    expect(bumpImageTag('', { image: IMAGE, tag: '1.0.0' }).changed).toBe(0);
  });
});
