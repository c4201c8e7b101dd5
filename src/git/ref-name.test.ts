import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isCutterError } from '../core/errors.js';
import { assertSafeRemote, assertValidTagName, isValidTagName } from './ref-name.js';

const names = [
  'v1.2.3',
  't1.0.0',
  '@scope/pkg@1.0.0',
  'pkg@1.0.0',
  'release-2020',
  'latest',
  'v1.0.0;rm-rf-x',
  '$(touch-pwned)',
  '`id`',
  'v1.0.0;rm -rf x',
  '$(touch pwned)',
  'a..b',
  'a@{b',
  '@',
  'a b',
  'a~1',
  'a^',
  'a:b',
  'a?',
  'a*',
  'a[b',
  'a\\b',
  '.hidden',
  'dir/.hidden',
  'x.lock',
  'dir/x.lock/y',
  'trailing.',
  'trailing/',
  '/leading',
  'a//b',
  'tab\there',
  'del\x7f',
  'ünïcödé',
  'a/b/c',
];

describe('isValidTagName', () => {
  it('agrees with git check-ref-format on every sample name', () => {
    for (const name of names) {
      const res = spawnSync('git', ['check-ref-format', `refs/tags/${name}`]);
      expect({ name, valid: isValidTagName(name) }).toEqual({ name, valid: res.status === 0 });
    }
  });

  it('refuses names git would read as an option', () => {
    expect(isValidTagName('-d')).toBe(false);
    expect(isValidTagName('--delete')).toBe(false);
  });

  it('refuses the empty name', () => {
    expect(isValidTagName('')).toBe(false);
  });

  it('throws CUTTER_INVALID_TAG naming the bad tag', () => {
    expect(() => assertValidTagName('$(touch pwned)')).toThrowError(/"\$\(touch pwned\)" is not a valid git tag name/);
    try {
      assertValidTagName('a b');
    } catch (err) {
      expect(isCutterError(err, 'CUTTER_INVALID_TAG')).toBe(true);
    }
  });
});

describe('assertSafeRemote', () => {
  it('accepts remote names, URLs and paths', () => {
    for (const r of ['origin', 'upstream', 'https://github.com/a/b.git', '/tmp/x.git'])
      expect(() => assertSafeRemote(r)).not.toThrow();
  });
  it('refuses remotes that git would read as options', () => {
    expect(() => assertSafeRemote('--upload-pack=touch x')).toThrowError(/not a usable git remote/);
    expect(() => assertSafeRemote('')).toThrow();
  });
});
