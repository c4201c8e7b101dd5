// Splits the NUL-separated output of `git … -z` into whole UTF-8 fields, whatever the chunk boundaries.

const NUL = 0;

/**
 * Fed Buffer chunks of any size (down to one byte), hands each complete NUL-ended field to `onField`, in order,
 * exactly once; bytes after the last NUL of a chunk wait for the next one. A field is decoded only when whole, so
 * a multi-byte UTF-8 character or a separator split across chunks is never mangled; invalid UTF-8 decodes to
 * U+FFFD instead of throwing. Each field is decoded on its own (measured faster than decoding a chunk at once and
 * slicing it: one non-ASCII character would make the whole chunk a two-byte string, and slices would pin it).
 */
export class NulFieldSplitter {
  private partial: Buffer[] = [];

  /** Emits every field `chunk` completes. The chunk may be reused by the caller once this returns. */
  push(chunk: Buffer, onField: (field: string) => void): void {
    let start = 0;
    for (let end = chunk.indexOf(NUL); end !== -1; end = chunk.indexOf(NUL, start)) {
      if (this.partial.length > 0) {
        this.partial.push(chunk.subarray(start, end));
        onField(Buffer.concat(this.partial).toString('utf8'));
        this.partial = [];
      } else {
        onField(chunk.toString('utf8', start, end));
      }
      start = end + 1;
    }
    // Copied: the stream may reuse the chunk's memory after push returns.
    if (start < chunk.length) this.partial.push(Buffer.from(chunk.subarray(start)));
  }

  /** True when bytes of an unfinished field are waiting (the output stopped mid-field). */
  hasPartialField(): boolean {
    return this.partial.some((b) => b.length > 0);
  }
}
