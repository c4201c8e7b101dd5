// Turns the NUL-separated bytes of `git log -z` into RawCommits, carrying partial records across chunks.
import type { RawCommit } from '../core/types.js';
import { NulFieldSplitter } from './nul-field-splitter.js';

/**
 * The record layout: six fields (five without the date), each ended by NUL (`-z` makes git end the last one with NUL too).
 * Commit messages, names and hashes cannot contain NUL, so the layout is unambiguous.
 */
export const LOG_FORMAT = '%H%x00%P%x00%an%x00%ae%x00%aI%x00%B';
/** The same without the author date, for readers that never look at it (less for git to print and us to keep). */
export const LOG_FORMAT_NO_DATE = '%H%x00%P%x00%an%x00%ae%x00%B';
/**
 * Fed Buffer chunks of any size (down to one byte), emits each complete commit once.
 * Fields are decoded only when whole, so a multi-byte UTF-8 character or a separator split across
 * chunks is never mangled; invalid UTF-8 decodes to U+FFFD instead of throwing.
 */
export class GitLogParser {
  private readonly splitter = new NulFieldSplitter();
  private fields: string[] = [];
  private readonly fieldsPerRecord: number;
  private done: RawCommit[] = [];
  private readonly onField = (field: string): void => {
    this.fields.push(field);
    if (this.fields.length === this.fieldsPerRecord) {
      const commit = this.opts.dates === false ? toRawCommitWithoutDate(this.fields) : toRawCommit(this.fields);
      this.fields = [];
      if (this.opts.onCommit) this.opts.onCommit(commit);
      else this.done.push(commit);
    }
  };

  /**
   * `dates: false` reads output of `LOG_FORMAT_NO_DATE` (commits then have no `date`). With `onCommit`, each commit
   * goes there as soon as it is complete and `push` returns none.
   */
  constructor(private readonly opts: { dates?: boolean; onCommit?: (commit: RawCommit) => void } = {}) {
    this.fieldsPerRecord = opts.dates === false ? 5 : 6;
  }

  /** Parse one chunk; returns the commits it completed (possibly none). */
  push(chunk: Buffer): RawCommit[] {
    this.splitter.push(chunk, this.onField);
    const done = this.done;
    this.done = [];
    return done;
  }

  /** Call at end of stream: true when the output stopped mid-record (a truncated or killed git). */
  hasIncompleteRecord(): boolean {
    return this.fields.length > 0 || this.splitter.hasPartialField();
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
