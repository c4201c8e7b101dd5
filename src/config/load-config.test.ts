import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../test/support/temp-repo.js';
import { type CutterError, isCutterError } from '../core/errors.js';
import { defaultConfig } from './defaults.js';
import { loadConfig, parseConfig } from './load-config.js';
import { configSchema } from './schema.js';

afterAll(removeTempDirs);

async function problem(text: string, file = '.cutter.yml'): Promise<CutterError> {
  try {
    await parseConfig(text, file);
  } catch (err) {
    if (isCutterError(err, 'CUTTER_CONFIG_INVALID')) return err;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('uses the defaults when the repository has no .cutter.yml', async () => {
    const dir = tempDir();
    expect(await loadConfig(dir)).toEqual({ config: defaultConfig(), source: null });
  });

  it('reads .cutter.yml and merges it over the defaults', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, '.cutter.yml'),
      'tagFormat: t{version}\nfirstRelease: 0.1.0\nbump:\n  types:\n    refactor: patch\n  defaultPatch: true\n',
    );
    const { config, source } = await loadConfig(dir);
    expect(source).toBe(path.join(dir, '.cutter.yml'));
    expect(config.tagFormat).toBe('t{version}');
    expect(config.firstRelease).toBe('0.1.0');
    expect(config.bump).toEqual({
      types: { refactor: 'patch' },
      defaultPatch: true,
      preMajorBreaking: 'minor',
      preMajorFeature: 'minor',
    });
    expect(config.branches).toEqual(defaultConfig().branches);
  });

  it('also reads .cutter.yaml', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.cutter.yaml'), 'fleet:\n  pattern: "plugin-*"\n');
    expect((await loadConfig(dir)).config.fleet.pattern).toBe('plugin-*');
  });

  it('names the file path in errors', async () => {
    const dir = tempDir();
    const file = path.join(dir, '.cutter.yml');
    writeFileSync(file, 'tagformat: v{version}\n');
    await expect(loadConfig(dir)).rejects.toSatisfy(
      (err) => isCutterError(err, 'CUTTER_CONFIG_INVALID') && err.message.startsWith(`${file}:1:1:`),
    );
  });
});

describe('defaultConfig', () => {
  it('equals what the schema produces for an empty file', () => {
    expect(defaultConfig()).toEqual(configSchema.parse({}));
  });

  it('treats an empty file as all defaults', async () => {
    expect(await parseConfig('')).toEqual(defaultConfig());
    expect(await parseConfig('# only a comment\n')).toEqual(defaultConfig());
  });
});

describe('parseConfig errors', () => {
  it('names file:line:col, the unknown key and the keys allowed there', async () => {
    const err = await problem('tagFormat: v{version}\nbump:\n  defaultpatch: true\n');
    expect(err.message).toBe(
      '.cutter.yml:3:3: unknown key bump.defaultpatch (allowed: types, defaultPatch, preMajorBreaking, preMajorFeature)',
    );
  });

  it('reports an unknown top-level key with the allowed top-level keys', async () => {
    const err = await problem('tag_format: v{version}\n');
    expect(err.message).toMatch(
      /^\.cutter\.yml:1:1: unknown key tag_format \(allowed: tagFormat, package, firstRelease, bump, branches,/,
    );
  });

  it('names the value, its line and the allowed values for a bad enum', async () => {
    const err = await problem('bump:\n  preMajorBreaking: huge\n');
    expect(err.message).toBe('.cutter.yml:2:21: bump.preMajorBreaking — got "huge", allowed: "minor", "major"');
  });

  it('names the expected type for a wrong type', async () => {
    const err = await problem('release:\n  draft: "yes"\n');
    expect(err.message).toBe('.cutter.yml:2:10: release.draft — expected boolean, got string "yes"');
  });

  it('explains a bad bump level inside the types table', async () => {
    const err = await problem('bump:\n  types:\n    refactor: tiny\n');
    expect(err.message).toMatch(
      /^\.cutter\.yml:3:15: bump\.types\.refactor — got "tiny", allowed: "major", "minor", "patch", "none"$/,
    );
  });

  it('refuses a firstRelease that is not SemVer', async () => {
    expect((await problem('firstRelease: "1.0"\n')).message).toMatch(
      /^\.cutter\.yml:1:15: firstRelease — expected a SemVer version/,
    );
    expect((await problem('firstRelease: 1.0\n')).message).toBe(
      '.cutter.yml:1:15: firstRelease — expected string, got number 1',
    );
  });

  it('refuses a tag format without {version}', async () => {
    expect((await problem('tagFormat: release\n')).message).toBe(
      '.cutter.yml:1:12: tagFormat — the tag format must contain {version}',
    );
  });

  it('refuses version files of a package in tag mode, which writes no file, and accepts them in PR mode', async () => {
    const packages =
      'packages:\n  - name: api\n    path: packages/api\n    versionFiles:\n      - path: package.json\n';
    const err = await problem(packages);
    expect(err.message).toMatch(/^\.cutter\.yml:5:\d+: packages\[0\]\.versionFiles — package "api" has version files/);
    expect(err.message).toContain('set release.mode: pr');
    const config = await parseConfig(`release:\n  mode: pr\n${packages}`);
    expect(config.packages[0]?.versionFiles).toEqual([{ path: 'package.json' }]);
    // one package's files in tag mode stay for `cutter draft-release`
    expect((await parseConfig('versionFiles:\n  - path: VERSION\n')).versionFiles).toHaveLength(1);
  });

  it('points into lists: a misspelt key of the second branch', async () => {
    const err = await problem('branches:\n  - name: main\n  - name: beta\n    prerelase: beta\n');
    expect(err.message).toBe('.cutter.yml:4:5: unknown key branches[1].prerelase (allowed: name, prerelease, range)');
  });

  it('points at the parent when a required key is missing', async () => {
    const err = await problem('notes:\n  sections:\n    - type: feat\n');
    expect(err.message).toBe('.cutter.yml:3:7: notes.sections[0].title — expected string, got nothing');
  });

  it('lists every problem, not only the first', async () => {
    const err = await problem('bump:\n  defaultPatch: 1\nrelease:\n  draft: 2\n');
    expect(err.message).toContain('.cutter.yml:2:17: bump.defaultPatch');
    expect(err.message).toContain('.cutter.yml:4:10: release.draft');
    expect(err.details?.['problems']).toHaveLength(2);
  });

  it('refuses a file that is not a mapping', async () => {
    expect((await problem('- main\n- beta\n')).message).toBe(
      '.cutter.yml:1:1: (top level) — expected object, got a list',
    );
  });

  it('gives file:line for YAML syntax errors', async () => {
    const err = await problem('bump:\n  types: [feat\nrelease: {}\n', 'repo/.cutter.yml');
    expect(err.message).toMatch(/^repo\/\.cutter\.yml:\d+:\d+: YAML syntax error: /);
  });

  it('refuses duplicate keys', async () => {
    const err = await problem('tagFormat: v{version}\ntagFormat: t{version}\n');
    expect(err.message).toMatch(/^\.cutter\.yml:2:1: YAML syntax error: Map keys must be unique/);
  });

  it('says how to fix it in the hint', async () => {
    expect((await problem('nope: 1\n')).hint).toContain('.cutter.yml');
  });

  it('keeps notify and deploy sections open for their own layers', async () => {
    const config = await parseConfig(
      'notify:\n  slack:\n    channel: "#releases"\ndeploy:\n  infra:\n    url: http://x\n',
    );
    expect(config.notify).toEqual({ slack: { channel: '#releases' } });
    expect(config.deploy).toEqual({ infra: { url: 'http://x' } });
  });
});
