// Turns the NUL-separated bytes of `git log -z` into RawCommits, carrying partial records across chunks.
import type { RawCommit } from '../core/types.js';
import { NulFieldSplitter } from './nul-field-splitter.js';

const NUL = 0;

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
      this.emit(commit);
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
    let pos = 0;
    if (this.fields.length > 0 || this.splitter.hasPartialField()) {
      // The last chunk cut a record: its fields are finished field by field.
      pos = afterNuls(chunk, 0, this.fieldsPerRecord - this.fields.length);
      this.splitter.push(pos < 0 ? chunk : chunk.subarray(0, pos), this.onField);
    }
    // Whole records are decoded in two pieces, the short fields together and the message alone: two decodings per
    // commit instead of one per field (the per-call cost is most of a decoding's), and no short field pins the
    // message. Fields hold no NUL, and a NUL ends any malformed UTF-8 sequence, so the strings are the same.
    const heads = this.fieldsPerRecord - 1;
    while (pos >= 0 && pos < chunk.length) {
      const headEnd = afterNuls(chunk, pos, heads);
      const end = headEnd < 0 ? -1 : chunk.indexOf(NUL, headEnd);
      if (end < 0) {
        this.splitter.push(chunk.subarray(pos), this.onField);
        break;
      }
      const head = chunk.toString('utf8', pos, headEnd - 1);
      this.emit(fromHead(head, chunk.toString('utf8', headEnd, end), this.opts.dates !== false));
      pos = end + 1;
    }
    const done = this.done;
    this.done = [];
    return done;
  }

  private emit(commit: RawCommit): void {
    if (this.opts.onCommit) this.opts.onCommit(commit);
    else this.done.push(commit);
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
    parents: parentList(parents),
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
    parents: parentList(parents),
    authorName,
    authorEmail,
    message,
  };
}

/** The index just after the `count`-th NUL of `chunk` from `from`; -1 when the chunk ends first. */
function afterNuls(chunk: Buffer, from: number, count: number): number {
  let at = from;
  for (let i = 0; i < count; i++) {
    const nul = chunk.indexOf(NUL, at);
    if (nul < 0) return -1;
    at = nul + 1;
  }
  return at;
}

/** A commit from its NUL-separated short fields (hash, parents, name, e-mail, and the date `withDate`) and message. */
function fromHead(head: string, message: string, withDate: boolean): RawCommit {
  const a = head.indexOf('\0');
  const b = head.indexOf('\0', a + 1);
  const c = head.indexOf('\0', b + 1);
  const parents = parentList(head.slice(a + 1, b));
  const authorName = head.slice(b + 1, c);
  // The same object shapes as `toRawCommit` and `toRawCommitWithoutDate` make.
  if (!withDate) return { hash: head.slice(0, a).trim(), parents, authorName, authorEmail: head.slice(c + 1), message };
  const d = head.indexOf('\0', c + 1);
  return {
    hash: head.slice(0, a).trim(),
    parents,
    authorName,
    authorEmail: head.slice(c + 1, d),
    date: head.slice(d + 1),
    message,
  };
}

/** `%P`: the parent hashes, space-separated (none for a root commit). */
function parentList(parents: string): string[] {
  if (parents.length === 0) return [];
  return parents.includes(' ') ? parents.split(' ') : [parents];
}
