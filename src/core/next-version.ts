// Computes the next version from the current one and a bump decision: stable, prerelease channels, maintenance lines.

import semver from 'semver';
import { CutterError } from './errors.js';
import type { BumpLevel, BumpOutcome, CauseList, Channel } from './types.js';

export interface NextVersionOptions {
  /** The version of the very first release, when there is no current version (default `1.0.0`). */
  firstRelease?: string;
  /** Stable by default. */
  channel?: Channel;
}

export interface NextVersionResult {
  /** The version to release, or null when nothing should be released. */
  version: string | null;
  /** Why nothing is released although commits asked for it (a maintenance line would be left, …). */
  refused?: string;
  /** Why a `Release-As` request was not followed. */
  ignoredReleaseAs?: string;
}

const PRERELEASE_ID = /^[0-9A-Za-z-]+$/;

function requireVersion(value: string, what: string): semver.SemVer {
  const parsed = semver.parse(value);
  if (!parsed) {
    throw new CutterError('CUTTER_INVALID_VERSION', `${what} "${value}" is not SemVer 2.0.0`, {
      hint: 'versions look like 1.2.3 or 1.3.0-beta.1 (see https://semver.org)',
    });
  }
  return parsed;
}

function requireChannel(channel: Channel): void {
  if (channel.prerelease !== null && (!PRERELEASE_ID.test(channel.prerelease) || /^\d+$/.test(channel.prerelease))) {
    throw new CutterError('CUTTER_BAD_INPUT', `prerelease channel "${channel.prerelease}" is not a valid identifier`, {
      hint: 'use letters, digits and hyphens, e.g. alpha, beta, rc',
    });
  }
}

/** `1.x` / `1.2.x` / any semver range → the range object; shown to users without semver's internal `-0`. */
function maintenanceRange(range: string): { range: semver.Range; text: string } {
  const valid = semver.validRange(range);
  if (valid === null) {
    throw new CutterError('CUTTER_BAD_INPUT', `maintenance range "${range}" is not a semver range`, {
      hint: 'use a maintenance line such as 1.x or 1.2.x',
    });
  }
  return { range: new semver.Range(valid), text: valid.replace(/-0\b/g, '') };
}

/** The first version on a prerelease line: `1.3.0` on `beta` → `1.3.0-beta.1` (counting from 1, as humans do). */
const firstOnChannel = (version: string, pre: string): string => `${version}-${pre}.1`;

function bumpOnChannel(current: semver.SemVer, bump: BumpLevel, pre: string | null): string {
  // semver.inc already knows that a pending prerelease contains its bump: 1.3.0-beta.2 + minor → 1.3.0.
  const target = semver.inc(current, bump)!;
  if (pre === null) return target;
  const base = `${current.major}.${current.minor}.${current.patch}`;
  if (current.prerelease.length === 0 || target !== base) return firstOnChannel(target, pre);
  // Same pending version: continue this channel's counter, or start the new channel's.
  if (current.prerelease[0] === pre) return semver.inc(current, 'prerelease', pre, '1')!;
  return firstOnChannel(base, pre);
}

/** Causes looked at together: a slice of a long list at a time. */
const CAUSES_PER_LOOK = 1000;

function causeLabel(decision: BumpOutcome): string {
  const triggers = decision.causes.triggers?.() ?? triggersOf(decision.causes);
  return triggers.length > 0 ? triggers.join('/') : `${decision.bump} bump`;
}

function triggersOf(causes: CauseList): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < causes.length; i += CAUSES_PER_LOOK) {
    for (const c of causes.slice(i, i + CAUSES_PER_LOOK)) if (c.trigger) seen.add(c.trigger);
  }
  return [...seen];
}

/**
 * The next version, or a refusal saying why none: stable bumps, prerelease channels (`beta`, `rc`…) with
 * promotion back to stable, maintenance lines (`channel.range`), `Release-As` overrides and first releases.
 */
export function nextVersionChecked(
  current: string | null,
  decision: BumpOutcome,
  opts: NextVersionOptions = {},
): NextVersionResult {
  const channel: Channel = opts.channel ?? { prerelease: null };
  requireChannel(channel);
  const pre = channel.prerelease;
  const currentParsed = current === null ? null : requireVersion(current, 'current version');
  const first = requireVersion(opts.firstRelease ?? '1.0.0', 'first release').version;

  let version: string | null = null;
  let ignoredReleaseAs: string | undefined;
  let label: string;

  if (decision.releaseAs !== null) {
    const requested = semver.valid(decision.releaseAs);
    if (requested === null) {
      ignoredReleaseAs = `Release-As ${decision.releaseAs} ignored: not SemVer`;
    } else if (currentParsed && !semver.gt(requested, currentParsed)) {
      ignoredReleaseAs = `Release-As ${requested} ignored: not greater than current ${currentParsed.version}`;
    } else {
      version = requested;
    }
  }

  if (version !== null) {
    label = `Release-As ${version}`;
  } else if (decision.bump === null) {
    return { version: null, ...(ignoredReleaseAs ? { ignoredReleaseAs } : {}) };
  } else if (currentParsed === null) {
    version = pre === null ? first : firstOnChannel(first, pre);
    label = `first release (${causeLabel(decision)})`;
  } else {
    version = bumpOnChannel(currentParsed, decision.bump, pre);
    label = causeLabel(decision);
    if (!semver.gt(version, currentParsed)) {
      return {
        version: null,
        refused: `${label} on channel ${pre ?? 'stable'} would release ${version}, not after current ${currentParsed.version}`,
        ...(ignoredReleaseAs ? { ignoredReleaseAs } : {}),
      };
    }
  }

  if (channel.range !== undefined) {
    const { range, text } = maintenanceRange(channel.range);
    if (!semver.satisfies(version, range, { includePrerelease: true })) {
      return {
        version: null,
        refused: `${label} on maintenance line ${channel.range} would release ${version}, outside ${text}`,
        ...(ignoredReleaseAs ? { ignoredReleaseAs } : {}),
      };
    }
  }
  return { version, ...(ignoredReleaseAs ? { ignoredReleaseAs } : {}) };
}

/** The next version, or null when nothing should (or may) be released; see `nextVersionChecked` for why. */
export function nextVersion(
  current: string | null,
  decision: BumpOutcome,
  opts: NextVersionOptions = {},
): string | null {
  return nextVersionChecked(current, decision, opts).version;
}
