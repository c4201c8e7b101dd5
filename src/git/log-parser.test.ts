import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawCommit } from '../core/types.js';
import { GitLogParser } from './log-parser.js';

/** The bytes `git log -z --format=LOG_FORMAT` prints for these commits. */
function encode(commits: RawCommit[]): Buffer {
  const parts = commits.map((c) =>
    Buffer.concat([
      Buffer.from(`${c.hash}\0${(c.parents ?? []).join(' ')}\0${c.authorName}\0${c.authorEmail}\0${c.date}\0`),
      Buffer.from(c.message, 'utf8'),
      Buffer.from([0]),
    ]),
  );
  return Buffer.concat(parts);
}

function feed(parser: GitLogParser, bytes: Buffer, chunkSizes: (i: number) => number): RawCommit[] {
  const out: RawCommit[] = [];
  let i = 0;
  let n = 0;
  while (i < bytes.length) {
    const size = Math.max(1, chunkSizes(n++));
    out.push(...parser.push(bytes.subarray(i, i + size)));
    i += size;
  }
  return out;
}

const sample: RawCommit[] = [
  {
    hash: 'a'.repeat(40),
    parents: ['b'.repeat(40)],
    authorName: 'Zoë Ünïcode',
    authorEmail: 'zoe@example.com',
    date: '2026-11-25T12:00:00+00:00',
    message: 'feat(api): add ✨ sparkles 🎉\n\nbody with 日本語\n\nBREAKING CHANGE: 💥 gone\n',
  },
  {
    hash: 'b'.repeat(40),
    parents: ['c'.repeat(40), 'd'.repeat(40)],
    authorName: 'Bob',
    authorEmail: 'bob@example.com',
    date: '2026-11-24T12:00:00+00:00',
    message: 'Merge pull request #12 from x/y\n\nfix: y\n',
  },
  {
    hash: 'c'.repeat(40),
    parents: [],
    authorName: '',
    authorEmail: '',
    date: '2026-11-23T12:00:00+00:00',
    message: '',
  },
];

describe('GitLogParser', () => {
  it('reads every commit of one whole buffer', () => {
    const parser = new GitLogParser();
    expect(parser.push(encode(sample))).toEqual(sample);
    expect(parser.hasIncompleteRecord()).toBe(false);
  });

  it('carries partial records across chunks when fed one byte at a time', () => {
    const parser = new GitLogParser();
    expect(feed(parser, encode(sample), () => 1)).toEqual(sample);
    expect(parser.hasIncompleteRecord()).toBe(false);
  });

  it('keeps a multi-byte UTF-8 character whole when a chunk boundary splits it', () => {
    const bytes = encode(sample);
    const sparkle = bytes.indexOf(Buffer.from('✨'));
    const parser = new GitLogParser();
    const first = parser.push(bytes.subarray(0, sparkle + 1));
    const rest = parser.push(bytes.subarray(sparkle + 1));
    expect([...first, ...rest]).toEqual(sample);
    expect(rest[0]?.message).toContain('✨ sparkles 🎉');
  });

  it('handles a chunk boundary right on a NUL separator, before it and after it', () => {
    const bytes = encode(sample);
    const nul = bytes.indexOf(0);
    for (const cut of [nul - 1, nul, nul + 1]) {
      const parser = new GitLogParser();
      const out = [...parser.push(bytes.subarray(0, cut)), ...parser.push(bytes.subarray(cut))];
      expect(out).toEqual(sample);
    }
  });

  it('decodes non-UTF-8 bytes in a message with the replacement character instead of crashing', () => {
    const latin1 = Buffer.concat([
      Buffer.from(`${'e'.repeat(40)}\0\0Jos\xe9\0j@example.com\0 2026-01-01T00:00:00Z\0`, 'latin1'),
      Buffer.from([0x66, 0x69, 0x78, 0x3a, 0x20, 0xff, 0xfe, 0x63, 0x61, 0x66, 0xe9, 0x0a, 0x00]),
    ]);
    const parser = new GitLogParser();
    const [commit] = feed(parser, latin1, () => 1);
    expect(commit?.message).toBe('fix: \ufffd\ufffdcaf\ufffd\n');
    expect(commit?.authorName).toBe('Jos\ufffd');
  });

  it('reports output that stops in the middle of a record', () => {
    const bytes = encode(sample);
    const parser = new GitLogParser();
    parser.push(bytes.subarray(0, bytes.length - 5));
    expect(parser.hasIncompleteRecord()).toBe(true);
  });

  it('gives the same commits whatever the chunking (property)', () => {
    const commitArb = fc.record({
      hash: fc.stringMatching(/^[0-9a-f]{40}$/),
      parents: fc.array(fc.stringMatching(/^[0-9a-f]{40}$/), { maxLength: 3 }),
      authorName: fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/\0/g, '')),
      authorEmail: fc.emailAddress(),
      date: fc.constant('2026-11-25T12:00:00+00:00'),
      message: fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => s.replace(/\0/g, '')),
    });
    fc.assert(
      fc.property(
        fc.array(commitArb, { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1 }),
        (commits, sizes) => {
          const parser = new GitLogParser();
          const out = feed(parser, encode(commits), (i) => sizes[i % sizes.length] ?? 1);
          expect(out).toEqual(commits);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('decodes a record whole exactly as field by field, even with broken UTF-8 before a NUL (property)', () => {
    // Any bytes but NUL in each of the five fields of LOG_FORMAT_NO_DATE: truncated and stray multi-byte
    // sequences right before a separator must give the same replacement characters in both readings.
    const fieldArb = fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b.map((x) => (x === 0 ? 0xe2 : x))));
    const recordArb = fc.array(fieldArb, { minLength: 5, maxLength: 5 });
    fc.assert(
      fc.property(
        fc.array(recordArb, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 9 }),
        (records, size) => {
          const bytes = Buffer.concat(records.flatMap((fields) => fields.flatMap((f) => [f, Buffer.from([0])])));
          const expected = records.map((fields) => {
            const [hash, parents, authorName, authorEmail, message] = fields.map((f) => f.toString('utf8'));
            return {
              hash: hash!.trim(),
              parents: parents!.length > 0 ? parents!.split(' ') : [],
              authorName,
              authorEmail,
              message,
            };
          });
          // Whole records in one chunk, and records cut by chunks of `size` bytes.
          expect(new GitLogParser({ dates: false }).push(bytes)).toEqual(expected);
          expect(feed(new GitLogParser({ dates: false }), bytes, () => size)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
