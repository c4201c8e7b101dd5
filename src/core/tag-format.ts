// Tag names as templates (`v{version}`, `{version}`, `t{version}`, `{package}@{version}`): format, parse, pick the latest.

import semver from 'semver';
import { CutterError } from './errors.js';

export const DEFAULT_TAG_TEMPLATE = 'v{version}';

const PLACEHOLDER = /\{([^{}]*)\}/g;

// Characters git refuses in ref names (see `git check-ref-format`): controls, space, ~ ^ : ? * [ \ and DEL.
const FORBIDDEN_REF_CHARS = /[\x00-\x20~^:?*[\\\x7f]/;

/** Why `name` cannot be a tag name, or null when git would accept `refs/tags/<name>`. */
export function tagNameProblem(name: string): string | null {
  if (name === '') return 'it is empty';
  if (name.startsWith('-')) return 'it starts with "-" (it would be read as a command-line option)';
  const bad = FORBIDDEN_REF_CHARS.exec(name);
  if (bad) {
    const ch = bad[0];
    const shown = ch === ' ' ? 'a space' : ch.charCodeAt(0) < 0x20 || ch === '\x7f' ? 'a control character' : `"${ch}"`;
    return `it contains ${shown}`;
  }
  if (name.includes('..')) return 'it contains ".."';
  if (name.includes('@{')) return 'it contains "@{"';
  if (name === '@') return 'it is "@"';
  if (name.endsWith('.')) return 'it ends with "."';
  if (name.endsWith('/') || name.startsWith('/') || name.includes('//')) return 'it has an empty path component';
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return `its component "${component}" starts with "."`;
    if (component.endsWith('.lock')) return `its component "${component}" ends with ".lock"`;
  }
  return null;
}

interface CompiledTemplate {
  /** The literal text before the first placeholder, for a cheap first rejection. */
  prefix: string;
  hasPackage: boolean;
  matcher: RegExp;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Checks the template and turns it into a matcher; `pkg` fixes `{package}` to one package when given. */
function compile(template: string, pkg?: string): CompiledTemplate {
  const names = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
  const versions = names.filter((n) => n === 'version').length;
  const unknown = names.filter((n) => n !== 'version' && n !== 'package');
  if (versions !== 1 || unknown.length > 0 || names.filter((n) => n === 'package').length > 1) {
    throw new CutterError('CUTTER_INVALID_TAG', `tag template "${template}" is not valid`, {
      hint: 'use {version} exactly once, optionally {package} once, e.g. v{version}, t{version} or {package}@{version}',
    });
  }
  const hasPackage = names.includes('package');
  let source = '^';
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    source += escapeRegExp(template.slice(last, m.index));
    if (m[1] === 'version') source += '(\\d[0-9A-Za-z.+-]*)';
    else source += pkg === undefined ? '(.+?)' : escapeRegExp(pkg);
    last = m.index + m[0].length;
  }
  source += `${escapeRegExp(template.slice(last))}$`;
  const prefix = template.slice(0, template.indexOf('{'));
  return { prefix, hasPackage, matcher: new RegExp(source) };
}

const compiledCache = new Map<string, CompiledTemplate>();
function compiled(template: string, pkg?: string): CompiledTemplate {
  const key = `${pkg ?? '\0'}\0${template}`;
  let c = compiledCache.get(key);
  if (!c) {
    c = compile(template, pkg);
    if (compiledCache.size > 256) compiledCache.clear();
    compiledCache.set(key, c);
  }
  return c;
}

/** Renders a tag name and checks git would accept it; throws CUTTER_INVALID_TAG otherwise. */
export function formatTag(template: string, values: { version: string; package?: string }): string {
  const c = compiled(template);
  if (!/^\d/.test(values.version) || semver.valid(values.version) === null) {
    throw new CutterError('CUTTER_INVALID_VERSION', `"${values.version}" is not a SemVer 2.0.0 version`, {
      hint: 'tags are made from versions such as 1.2.3 or 1.3.0-beta.1',
    });
  }
  if (c.hasPackage && !values.package) {
    throw new CutterError('CUTTER_INVALID_TAG', `tag template "${template}" needs a package name`, {
      hint: 'set the package name in .cutter.yml, or use a template without {package}',
    });
  }
  const tag = template.replace(PLACEHOLDER, (_all, name: string) =>
    name === 'version' ? values.version : (values.package ?? ''),
  );
  const problem = tagNameProblem(tag);
  if (problem) {
    throw new CutterError('CUTTER_INVALID_TAG', `tag name "${tag}" is not a valid git tag: ${problem}`, {
      hint: 'change the tag template or the package name so the tag is a legal git ref name',
    });
  }
  return tag;
}

/** The SemVer version a tag names under `template`, or null for a foreign tag (`latest`, `release-2020`, `v1.2`). */
export function parseTag(template: string, tagName: string, pkg?: string): string | null {
  const c = compiled(template, pkg);
  const m = c.matcher.exec(tagName);
  if (!m) return null;
  const version = c.hasPackage && pkg === undefined ? m[2] : m[1];
  if (version === undefined || semver.valid(version) === null) return null;
  return version;
}

export interface LatestTag {
  tag: string;
  version: string;
  /** Tags that do not follow the template: reported, never used. */
  foreign: string[];
}

/**
 * The highest tag by SemVer order (never by date), in one pass over `tagNames` without sorting them.
 * Prereleases are skipped unless `includePrerelease`; `range` keeps a maintenance line to its own tags.
 */
export function pickLatestTag(
  tagNames: string[],
  template: string,
  opts: { pkg?: string; includePrerelease?: boolean; range?: string } = {},
): LatestTag | null {
  const c = compiled(template, opts.pkg);
  const includePrerelease = opts.includePrerelease ?? false;
  let range: semver.Range | null = null;
  if (opts.range !== undefined) {
    const valid = semver.validRange(opts.range);
    if (valid === null) {
      throw new CutterError('CUTTER_BAD_INPUT', `range "${opts.range}" is not a semver range`, {
        hint: 'use a maintenance line such as 1.x or 1.2.x',
      });
    }
    range = new semver.Range(valid, { includePrerelease });
  }
  const versionGroup = c.hasPackage && opts.pkg === undefined ? 2 : 1;
  const foreign: string[] = [];
  let best: { tag: string; version: semver.SemVer } | null = null;
  for (const tag of tagNames) {
    // Cheap rejection first: most foreign tags do not even share the literal prefix.
    const m = tag.startsWith(c.prefix) ? c.matcher.exec(tag) : null;
    const text = m?.[versionGroup];
    const version = text === undefined ? null : semver.parse(text);
    if (version === null) {
      foreign.push(tag);
      continue;
    }
    if (!includePrerelease && version.prerelease.length > 0) continue;
    if (range && !range.test(version)) continue;
    if (best === null) {
      best = { tag, version };
      continue;
    }
    const order = version.compare(best.version);
    // Equal precedence (build metadata differs): keep the lexically smaller name so the answer is deterministic.
    if (order > 0 || (order === 0 && tag < best.tag)) best = { tag, version };
  }
  if (best === null) return null;
  return { tag: best.tag, version: best.version.raw, foreign };
}
