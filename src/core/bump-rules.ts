// The bump rules as one table: which commit type releases what, plus the default-patch and pre-1.0 switches.

import type { BumpLevel, BumpRules } from './types.js';

/**
 * The defaults, readable from one screen. Types not listed release nothing; seed 003 adds
 * `refactor`/`build`/`revert` → patch through `.cutter.yml` (see `mergeBumpRules`).
 */
export const DEFAULT_BUMP_RULES: BumpRules = Object.freeze({
  types: Object.freeze({
    feat: 'minor',
    fix: 'patch',
    perf: 'patch',
    docs: 'none',
    style: 'none',
    test: 'none',
    ci: 'none',
    chore: 'none',
    build: 'none',
    refactor: 'none',
    revert: 'none',
  }) as Record<string, BumpLevel | 'none'>,
  defaultPatch: false,
  preMajorBreaking: 'minor',
  preMajorFeature: 'minor',
}) as BumpRules;

/** What a user may write in config: any subset of the table, types merged over the defaults. */
export interface BumpRulesOverrides {
  types?: Record<string, BumpLevel | 'none'>;
  defaultPatch?: boolean;
  preMajorBreaking?: BumpRules['preMajorBreaking'];
  preMajorFeature?: BumpRules['preMajorFeature'];
}

/** Merges user overrides over `base` (the defaults unless given); type names are matched case-insensitively. */
export function mergeBumpRules(partial: BumpRulesOverrides = {}, base: BumpRules = DEFAULT_BUMP_RULES): BumpRules {
  const types: Record<string, BumpLevel | 'none'> = {};
  for (const [type, level] of Object.entries(base.types)) types[type.toLowerCase()] = level;
  for (const [type, level] of Object.entries(partial.types ?? {})) types[type.toLowerCase()] = level;
  return {
    types,
    defaultPatch: partial.defaultPatch ?? base.defaultPatch,
    preMajorBreaking: partial.preMajorBreaking ?? base.preMajorBreaking,
    preMajorFeature: partial.preMajorFeature ?? base.preMajorFeature,
  };
}
