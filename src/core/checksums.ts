// `checksums.txt` in `sha256sum` format: one `<hex>  <name>` line per file, sorted by name, so `sha256sum -c` checks it.

export const CHECKSUMS_FILE = 'checksums.txt';

export interface FileDigest {
  name: string;
  /** Lower-case hex SHA-256 of the file's bytes. */
  sha256: string;
}

/** The text of `checksums.txt`; the same files give the same bytes whatever order they came in. */
export function checksumsText(files: readonly FileDigest[]): string {
  return [...files]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => `${f.sha256.toLowerCase()}  ${f.name}\n`)
    .join('');
}
