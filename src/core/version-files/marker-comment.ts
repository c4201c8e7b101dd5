// Sets the version on lines marked `x-cutter-version`, or between `x-cutter-version-start` and `-end` lines.
import { CutterError } from '../errors.js';
import { checkVersion, replaceSpans, type VersionFileOptions } from './editor.js';

// A SemVer-looking token, possibly after a `v`; not a piece of a longer dotted number (`1.2.3.4`).
const VERSION_IN_LINE =
  /(?<![\d.])\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?![\d.]*\d)/;
const MARKER = 'x-cutter-version';

/**
 * Works in any text file (Python `__version__ = "1.2.3"  # x-cutter-version`, Go constants, Dockerfile labels…):
 * on a marked line the first version token changes; in a start/end block the first token of every line does.
 */
export function setMarkedVersion(text: string, version: string, opts: VersionFileOptions = {}): string {
  checkVersion(version);
  const file = opts.file ?? 'file';
  const spans: { start: number; end: number; value: string }[] = [];
  let inBlock = false;
  let marked = 0;
  let lineStart = 0;
  let lineNo = 0;
  while (lineStart < text.length) {
    lineNo++;
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl < 0 ? text.length : nl;
    const line = text.slice(lineStart, lineEnd);
    if (line.includes(`${MARKER}-start`)) {
      inBlock = true;
      marked++;
    } else if (line.includes(`${MARKER}-end`)) {
      inBlock = false;
    } else if (inBlock || line.includes(MARKER)) {
      const m = VERSION_IN_LINE.exec(line);
      if (m) spans.push({ start: lineStart + m.index, end: lineStart + m.index + m[0].length, value: version });
      else if (!inBlock) {
        throw new CutterError('CUTTER_BAD_INPUT', `${file} line ${lineNo} is marked ${MARKER} but holds no version`, {
          hint: 'put the marker on the line that holds the version, e.g. VERSION = "1.2.3"  # x-cutter-version',
        });
      }
      if (!inBlock) marked++;
    }
    lineStart = lineEnd + 1;
  }
  if (marked === 0) {
    throw new CutterError('CUTTER_BAD_INPUT', `${file} has no line marked ${MARKER}`, {
      hint: 'add the comment x-cutter-version at the end of the line that holds the version',
    });
  }
  if (inBlock) {
    throw new CutterError('CUTTER_BAD_INPUT', `${file} opens ${MARKER}-start but never closes it with ${MARKER}-end`, {
      hint: `add a line with ${MARKER}-end after the versioned lines`,
    });
  }
  if (spans.length === 0) {
    throw new CutterError('CUTTER_BAD_INPUT', `${file}: the ${MARKER}-start/-end block holds no version`, {
      hint: 'put the lines that hold the version between the start and end markers',
    });
  }
  return replaceSpans(text, spans);
}
