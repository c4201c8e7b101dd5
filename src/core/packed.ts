// Growable packed storage for folds over long ranges: strings as UTF-8 in a few buffers, integers in typed arrays.
import { Buffer } from 'node:buffer';

// Why not arrays of strings and numbers: 100k commits would leave 200k small strings and objects that outlive many
// young-generation collections, and V8 grows its heap for them (they took the Node process of a 100k-commit dry run
// from 65 MB to 145 MB). Buffers are never copied by a collection and cost what they hold.

/** Bytes per block: a pool grows block by block, never copying what it holds. */
const BLOCK_BYTES = 256 * 1024;

/**
 * Strings kept as UTF-8 one after the other, or, for a pool of hashes (`hex`), lowercase hex strings as their
 * bytes (half the size); `get(i)` gives back the `i`-th string added, exactly.
 */
export class StringPool {
  private readonly blocks: Buffer[] = objectArray();
  /** The index of the first string of each block. */
  private readonly firstOf: number[] = [];
  private used = 0;
  /** Where each string ends in its block (it starts where the one before ends, or at 0 when first there). */
  private readonly endOf = new IntList();
  /** Strings that UTF-8 cannot carry exactly (a lone surrogate, say from a JSON API), kept as they are. */
  private readonly odd = new Map<number, string>();

  constructor(private readonly encoding: 'utf8' | 'hex' = 'utf8') {}

  get length(): number {
    return this.endOf.length;
  }

  /** Keeps `s`; returns its index. */
  add(s: string): number {
    const index = this.endOf.length;
    if (this.encoding === 'hex') {
      // Two hex digits make one byte, read and written here in one pass: cheaper than checking the digits and then
      // having Buffer.write decode them.
      const written = writeLowerHexPairs(s, this.reserve(index, s.length >> 1), this.used);
      if (written < 0) this.odd.set(index, s);
      else this.used += written;
    } else if (isWellFormed(s)) {
      // A UTF-16 code unit never takes more than 3 bytes of UTF-8.
      const block = this.reserve(index, s.length * 3);
      this.used += block.write(s, this.used, 'utf8');
    } else {
      this.odd.set(index, s);
      this.reserve(index, 0);
    }
    this.endOf.push(this.used);
    return index;
  }

  get(index: number): string {
    if (index < 0 || index >= this.length) throw new RangeError(`no string ${index} in a pool of ${this.length}`);
    const odd = this.odd.get(index);
    if (odd !== undefined) return odd;
    const b = this.blockIndex(index);
    const start = index === this.firstOf[b] ? 0 : this.endOf.get(index - 1);
    return this.blocks[b]!.toString(this.encoding, start, this.endOf.get(index));
  }

  /**
   * For a pool of hashes: the first 7 hex digits of string `index` as a number, read from its bytes without
   * decoding it; -1 when the string is not held as hex bytes or has fewer than 8 digits.
   */
  hexPrefix7(index: number): number {
    if (this.encoding !== 'hex' || this.odd.has(index)) return -1;
    const b = this.blockIndex(index);
    const start = index === this.firstOf[b] ? 0 : this.endOf.get(index - 1);
    if (this.endOf.get(index) - start < 4) return -1;
    const bytes = this.blocks[b]!;
    return bytes[start]! * 0x100000 + bytes[start + 1]! * 0x1000 + bytes[start + 2]! * 0x10 + (bytes[start + 3]! >> 4);
  }

  /** Every string, concatenated: one decoding, not one string per entry. */
  joined(): string {
    const bytes = this.utf8();
    if (bytes === null) {
      const parts: string[] = [];
      for (let i = 0; i < this.length; i++) parts.push(this.get(i));
      return parts.join('');
    }
    return bytes.length === 1 ? bytes[0]!.toString('utf8') : Buffer.concat(bytes).toString('utf8');
  }

  /** Every string as UTF-8, one after the other, in views valid until the next `add`; null when one is odd. */
  utf8(): Buffer[] | null {
    if (this.odd.size > 0 || this.encoding !== 'utf8') return null;
    return this.blocks.map((block, b) => {
      const next = this.firstOf[b + 1];
      // Every block holds at least one string: the one it was made for.
      return block.subarray(0, next === undefined ? this.used : this.endOf.get(next - 1));
    });
  }

  /** The block that holds string `index` (blocks are few: a binary search over their first strings). */
  private blockIndex(index: number): number {
    // The last block first: where each string just added is, and so the loop below stays out of the hot path.
    const last = this.firstOf.length - 1;
    if (index >= this.firstOf[last]!) return last;
    let lo = 0;
    let hi = this.firstOf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.firstOf[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The block string `index` goes into, with room for `bytes` more. */
  private reserve(index: number, bytes: number): Buffer {
    const block = this.blocks[this.blocks.length - 1];
    if (block !== undefined && this.used + bytes <= block.length) return block;
    const fresh = Buffer.allocUnsafe(Math.max(BLOCK_BYTES, bytes));
    this.blocks.push(fresh);
    this.firstOf.push(index);
    this.used = 0;
    return fresh;
  }
}

/** The value of each ASCII code as a lowercase hex digit; -1 for any other character. */
const LOWER_HEX_DIGIT = (() => {
  const table = new Int8Array(0x80).fill(-1);
  for (let c = 0x30; c <= 0x39; c++) table[c] = c - 0x30;
  for (let c = 0x61; c <= 0x66; c++) table[c] = c - 0x57;
  return table;
})();

/**
 * Writes `s` at `at` of `block` as the bytes of its pairs of lowercase hex digits (git's hashes: what hex decoding
 * turns back into the same string) and returns how many; -1 when `s` is not such pairs (bytes written before the
 * first bad digit are left beyond what the pool counts as used).
 */
function writeLowerHexPairs(s: string, block: Buffer, at: number): number {
  const length = s.length;
  if (length % 2 !== 0) return -1;
  for (let i = 0; i < length; i += 2) {
    const c = s.charCodeAt(i);
    const d = s.charCodeAt(i + 1);
    if ((c | d) >= 0x80) return -1;
    // A table, not comparisons: a branch per digit made this loop two and a half times slower (100k hashes).
    const high = LOWER_HEX_DIGIT[c]!;
    const low = LOWER_HEX_DIGIT[d]!;
    if ((high | low) < 0) return -1;
    block[at + (i >> 1)] = (high << 4) | low;
  }
  return length >> 1;
}

/** Integers per block of an IntList. */
const BLOCK_INTS = 16 * 1024;

/** 32-bit integers, appended, in blocks (never copied, never more than one block of slack). */
export class IntList {
  private readonly blocks: Int32Array[] = objectArray();
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    const at = this.count % BLOCK_INTS;
    if (at === 0) this.blocks.push(new Int32Array(BLOCK_INTS));
    this.blocks[this.blocks.length - 1]![at] = value;
    this.count++;
  }

  get(index: number): number {
    if (index < 0 || index >= this.count) throw new RangeError(`no value ${index} in a list of ${this.count}`);
    return this.blocks[(index / BLOCK_INTS) | 0]![index % BLOCK_INTS]!;
  }
}

/**
 * An empty array whose elements V8 already holds as objects. A `[]` holds small integers until its first push
 * changes its map, and code optimised for pools made earlier is thrown away (and compiled again) at the first
 * push into each pool made later, as notes sections and their pools are: ~10 fewer deoptimisations, ~40 ms CPU
 * at 100k commits. Popping never changes the kind back.
 */
function objectArray<T extends object>(): T[] {
  const array: T[] = [{} as T];
  array.pop();
  return array;
}

/** `String.prototype.isWellFormed` (Node 20; not in the ES2023 typings): no lone surrogate. */
export function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}
