// The release's checksums file in `sha256sum` format: one `<hex>  <name>` line per asset.

import { createHash } from 'node:crypto';
import { CutterError } from '../core/errors.js';

export const CHECKSUMS_ASSET = 'SHA256SUMS';

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function checksumsText(entries: { name: string; sha256: string }[]): string {
  return entries
    .slice()
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((e) => `${e.sha256}  ${e.name}\n`)
    .join('');
}

/** name → hex; a malformed line is an error (a checksums file is never half-trusted). */
export function parseChecksums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const m = /^([a-f0-9]{64}) [ *](.+)$/.exec(line);
    if (!m?.[1] || !m[2]) {
      throw new CutterError('CUTTER_BAD_INPUT', `${CHECKSUMS_ASSET} line ${i + 1} is not "<sha256>  <name>"`);
    }
    out.set(m[2], m[1]);
  }
  return out;
}
