// Turns the NUL-separated bytes of `git log -z` into RawCommits, carrying partial records across chunks.
import type { RawCommit } from '../core/types.js';

/**
 * The record layout: six fields (five without the date), each ended by NUL (`-z` makes git end the last one with NUL too).
 * Commit messages, names and hashes cannot contain NUL, so the layout is unambiguous.
 */
export const LOG_FORMAT = '%H%x00%P%x00%an%x00%ae%x00%aI%x00%B';
/** The same without the author date, for readers that never look at it (less for git to print and us to keep). */
export const LOG_FORMAT_NO_DATE = '%H%x00%P%x00%an%x00%ae%x00%B';
const NUL = 0;

/**
 * Fed Buffer chunks of any size (down to one byte), emits each complete commit once.
 * Fields are decoded only when whole, so a multi-byte UTF-8 character or a separator split across
 * chunks is never mangled; invalid UTF-8 decodes to U+FFFD instead of throwing.
 */
export class GitLogParser {
  private partial: Buffer[] = [];
  private fields: string[] = [];
  private readonly fieldsPerRecord: number;

  /** `dates: false` reads output of `LOG_FORMAT_NO_DATE` (commits then have no `date`). */
  constructor(private readonly opts: { dates?: boolean } = {}) {
    this.fieldsPerRecord = opts.dates === false ? 5 : 6;
  }

  /** Parse one chunk; returns the commits it completed (possibly none). */
  push(chunk: Buffer): RawCommit[] {
    const done: RawCommit[] = [];
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NUL, start);
      if (end === -1) break;
      let field: string;
      if (this.partial.length > 0) {
        this.partial.push(chunk.subarray(start, end));
        field = Buffer.concat(this.partial).toString('utf8');
        this.partial = [];
      } else {
        field = chunk.toString('utf8', start, end);
      }
      this.fields.push(field);
      if (this.fields.length === this.fieldsPerRecord) {
        done.push(this.opts.dates === false ? toRawCommitWithoutDate(this.fields) : toRawCommit(this.fields));
        this.fields = [];
      }
      start = end + 1;
    }
    // Copy the tail: the stream may reuse the chunk's memory after we return.
    if (start < chunk.length) this.partial.push(Buffer.from(chunk.subarray(start)));
    return done;
  }

  /** Call at end of stream: true when the output stopped mid-record (a truncated or killed git). */
  hasIncompleteRecord(): boolean {
    return this.fields.length > 0 || this.partial.some((b) => b.length > 0);
  }
}

function toRawCommit(fields: string[]): RawCommit {
  const [hash = '', parents = '', authorName = '', authorEmail = '', date = '', message = ''] = fields;
  return {
    // Defensive: with a plain (non `-z`) separator git would prefix the next hash with a newline.
    hash: hash.trim(),
    parents: parents.length > 0 ? parents.split(' ') : [],
    authorName,
    authorEmail,
    date,
    message,
  };
}

function toRawCommitWithoutDate(fields: string[]): RawCommit {
  const [hash = '', parents = '', authorName = '', authorEmail = '', message = ''] = fields;
  return {
    hash: hash.trim(),
    parents: parents.length > 0 ? parents.split(' ') : [],
    authorName,
    authorEmail,
    message,
  };
}
