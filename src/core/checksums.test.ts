import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksumsText } from './checksums.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('checksums.txt', () => {
  it('writes sha256sum lines sorted by name, whatever the input order', () => {
    const text = checksumsText([
      { name: 'b.tgz', sha256: sha('b') },
      { name: 'a.zip', sha256: sha('a').toUpperCase() },
    ]);
    expect(text).toBe(`${sha('a')}  a.zip\n${sha('b')}  b.tgz\n`);
  });

  it('is what sha256sum -c accepts for the same files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'checksums-'));
    try {
      writeFileSync(join(dir, 'one.txt'), 'one\n');
      writeFileSync(join(dir, 'two.bin'), Buffer.from([0, 1, 2, 255]));
      writeFileSync(
        join(dir, 'checksums.txt'),
        checksumsText([
          {
            name: 'two.bin',
            sha256: createHash('sha256')
              .update(Buffer.from([0, 1, 2, 255]))
              .digest('hex'),
          },
          { name: 'one.txt', sha256: sha('one\n') },
        ]),
      );
      const out = execFileSync('sha256sum', ['-c', 'checksums.txt'], { cwd: dir, encoding: 'utf8' });
      expect(out).toBe('one.txt: OK\ntwo.bin: OK\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
