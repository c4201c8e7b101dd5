// The contract every version-file editor follows, and the errors they share.
import semver from 'semver';
import { CutterError } from '../errors.js';

export interface VersionFileOptions {
  /** The file's name as the user knows it, for error messages (defaults to the format's usual name). */
  file?: string;
  /** Dotted path for the generic JSON editor: `a.b.version`, `items.0.version`. */
  jsonPath?: string;
  /** Dotted path for the generic YAML editor. */
  yamlPath?: string;
  /** `table.key` for the generic TOML editor: `tool.poetry.version`, or `version` at the top level. */
  tomlKey?: string;
  /** Chart.yaml: also set `appVersion` when the chart has one (default true). */
  appVersion?: boolean;
}

/** Pure text → text: only the version bytes change; everything else stays byte for byte. */
export type VersionFileEditor = (text: string, version: string, opts?: VersionFileOptions) => string;

export function checkVersion(version: string): void {
  // semver.valid accepts `v1.2.3` and `=1.2.3` and drops `+build`: the text written must be the version itself.
  if (semver.valid(version) === null || !/^\d[0-9A-Za-z.+-]*$/.test(version)) {
    throw new CutterError(
      'CUTTER_INVALID_VERSION',
      `cannot write version ${JSON.stringify(version)}: not a SemVer version`,
      {
        hint: 'versions are written without a prefix, e.g. 1.3.0 or 2.0.0-beta.1',
      },
    );
  }
}

export function missingKey(file: string, key: string, hint: string): CutterError {
  return new CutterError('CUTTER_BAD_INPUT', `${file} has no ${JSON.stringify(key)} key`, { hint });
}

export function unparsable(file: string, reason: string, hint: string): CutterError {
  return new CutterError('CUTTER_BAD_INPUT', `${file} cannot be parsed: ${reason}`, { hint });
}

export function notAString(file: string, key: string, hint: string): CutterError {
  return new CutterError('CUTTER_BAD_INPUT', `${file}: ${JSON.stringify(key)} is not a plain string`, { hint });
}

/** Replace the text between `start` and `end` of each span (spans in any order, non-overlapping). */
export function replaceSpans(text: string, spans: readonly { start: number; end: number; value: string }[]): string {
  let out = text;
  for (const s of [...spans].sort((a, b) => b.start - a.start))
    out = out.slice(0, s.start) + s.value + out.slice(s.end);
  return out;
}

/** `a.b.0.c` → `['a', 'b', '0', 'c']`; a path with an empty segment is refused. */
export function splitPath(path: string, file: string): string[] {
  const parts = path.split('.');
  if (path === '' || parts.some((p) => p === '')) {
    throw new CutterError(
      'CUTTER_BAD_INPUT',
      `${file}: key path ${JSON.stringify(path)} is empty or has an empty segment`,
      {
        hint: 'write the path as dotted keys, e.g. tool.poetry.version',
      },
    );
  }
  return parts;
}
