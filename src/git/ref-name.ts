// Validates tag and remote names with `git check-ref-format` rules before user input reaches git.
import { CutterError } from '../core/errors.js';

const FORBIDDEN_CHARS = /[\x00-\x20\x7f~^:?*[\\]/;

/**
 * True when `refs/tags/<name>` passes `git check-ref-format` (the rules in git-check-ref-format(1)),
 * and the name does not start with `-` (it would read as an option to git).
 */
export function isValidTagName(name: string): boolean {
  if (name.length === 0 || name.startsWith('-')) return false;
  if (name.includes('@{') || name.includes('..')) return false;
  if (FORBIDDEN_CHARS.test(name)) return false;
  if (name.endsWith('.')) return false;
  for (const component of name.split('/')) {
    if (component.length === 0 || component.startsWith('.') || component.endsWith('.lock')) return false;
  }
  return true;
}

/** Throw CUTTER_INVALID_TAG unless `name` is a tag name git accepts. */
export function assertValidTagName(name: string): void {
  if (!isValidTagName(name)) {
    throw new CutterError('CUTTER_INVALID_TAG', `${JSON.stringify(name)} is not a valid git tag name`, {
      hint: 'tag names cannot contain spaces, control characters, ~ ^ : ? * [ \\, "..", "@{", start with "-" or "." or end with "." or ".lock"',
    });
  }
}

/** A remote is a configured remote name or a URL/path; only refuse what git would parse as an option. */
export function assertSafeRemote(remote: string): void {
  if (remote.length === 0 || remote.startsWith('-') || /[\x00-\x1f]/.test(remote)) {
    throw new CutterError('CUTTER_BAD_INPUT', `${JSON.stringify(remote)} is not a usable git remote`, {
      hint: 'pass a remote name such as origin',
    });
  }
}
