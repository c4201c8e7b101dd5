// The `.cutter.yml` schema (zod): every key Cutter reads, its default, and what is allowed. Unknown keys are errors.
import * as z from 'zod';
import { supplySectionSchema } from './supply-schema.js';

const bumpLevel = z.enum(['major', 'minor', 'patch', 'none']);

/** A SemVer 2.0.0 version without a leading `v` (checked loosely here; the core validates with `semver`). */
const version = z
  .string()
  .regex(
    /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/,
    'expected a SemVer version such as 1.0.0 or 0.1.0',
  );

export const bumpSchema = z.strictObject({
  /** Commit type → bump, merged over the defaults (feat→minor, fix/perf→patch, others→none). */
  types: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'commit types are lower-case words'), bumpLevel).default({}),
  /** Release a patch when there are new commits but none of them is releasable. */
  defaultPatch: z.boolean().default(false),
  /** While the major version is 0, a breaking change bumps this. */
  preMajorBreaking: z.enum(['minor', 'major']).default('minor'),
  /** While the major version is 0, a feature bumps this. */
  preMajorFeature: z.enum(['minor', 'patch']).default('minor'),
});

export const branchSchema = z.strictObject({
  /** Branch name; `*` matches any run of characters (`release/*`). */
  name: z.string().min(1),
  /** Prerelease channel (`beta`, `rc`, `alpha`), or null for stable releases. */
  prerelease: z
    .string()
    .regex(/^[0-9A-Za-z-]+$/, 'a prerelease identifier such as beta or rc')
    .nullable()
    .default(null),
  /** Maintenance lines: a semver range releases from this branch must stay inside (`1.x`). */
  range: z.string().min(1).optional(),
});

export const notesSectionSchema = z.strictObject({
  /** Commit type, or `breaking` for the breaking-changes section. */
  type: z.string().min(1),
  title: z.string().min(1),
  hidden: z.boolean().default(false),
});

export const notesSchema = z.strictObject({
  /** Section order and titles; omitted types use the defaults. */
  sections: z.array(notesSectionSchema).optional(),
  /** Path (relative to the repository) of an Eta template replacing the default notes layout. */
  template: z.string().min(1).optional(),
  /** List contributors at the end of the notes. */
  contributors: z.boolean().default(true),
});

export const releaseSchema = z.strictObject({
  /** Create GitHub releases as drafts. */
  draft: z.boolean().default(false),
  /** Mark GitHub releases as prereleases (prerelease channels always are). */
  prerelease: z.boolean().default(false),
  /** `tag`: a push to a release branch tags and publishes; `pr`: it keeps one release PR open (merging releases). */
  mode: z.enum(['tag', 'pr']).default('tag'),
  /** Files attached to the GitHub release, with a `checksums.txt` (SHA-256) of them all. */
  artifacts: z
    .strictObject({
      /** Built first in a checkout of the released commit, as an argument list (no shell): `[npm, pack]`. */
      command: z.array(z.string().min(1)).min(1).optional(),
      /** Repository-relative files or globs (`dist/*.tgz`); each must match at least one file. */
      files: z.array(z.string().min(1)).min(1),
    })
    .optional(),
});

export const fleetSchema = z.strictObject({
  /** GitHub organization that owns the fleet. */
  org: z.string().min(1).optional(),
  /** Repositories taking part in fleet releases; `*` matches any run of characters. */
  pattern: z.string().min(1).default('connector-*'),
});

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const clock = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time of day such as 15:00 (24:00 ends the day)');
const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as Europe/Berlin');
/** A date (`2026-12-24`) or a timestamp that carries its offset, so a window never depends on the machine's zone. */
const freezeInstant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/,
    'a date (2026-12-24) or a timestamp with an offset (2026-12-24T15:00:00+01:00)',
  );

export const freezeWindowSchema = z.union([
  z.strictObject({
    /** Every week on these days, from..to wall-clock time in `timezone`; a `to` before `from` runs past midnight. */
    weekly: z.strictObject({ days: z.array(weekday).min(1), from: clock, to: clock }),
    timezone: timeZone,
    reason: z.string().min(1),
  }),
  z.strictObject({
    /** A one-off window; a plain-date `to` includes that whole day. */
    from: freezeInstant,
    to: freezeInstant,
    timezone: timeZone.optional(),
    reason: z.string().min(1),
  }),
]);

export const freezeSchema = z.strictObject({
  /** Windows during which releases wait at the publish step (the manual switch lives in the server's store). */
  windows: z.array(freezeWindowSchema).default([]),
});

export const checksSchema = z.strictObject({
  /** Commit-status contexts and check-run names that must be green on the released commit before it is tagged. */
  required: z.array(z.string().min(1)).default([]),
  /** Minutes a release waits for pending required checks before it fails. */
  timeoutMinutes: z.number().int().positive().default(60),
});

export const versionFileSchema = z.strictObject({
  /** Repository-relative path (package-relative inside `packages`). */
  path: z.string().min(1),
  /** Editor name (`package.json`, `json`, `yaml`, `toml`, `marker`…); inferred from the path when absent. */
  type: z.string().min(1).optional(),
  jsonPath: z.string().min(1).optional(),
  yamlPath: z.string().min(1).optional(),
  tomlKey: z.string().min(1).optional(),
  /** Chart.yaml: bump `appVersion` too. */
  appVersion: z.boolean().optional(),
});

export const packageSchema = z.strictObject({
  name: z.string().min(1),
  /** The package directory; commits that touch nothing under it do not bump it. */
  path: z.string().min(1),
  exclude: z.array(z.string().min(1)).default([]),
  tagFormat: z
    .string()
    .refine((t) => t.includes('{version}'), 'the tag format must contain {version}')
    .optional(),
  versionFiles: z.array(versionFileSchema).default([]),
});

const DEFAULT_BRANCHES = [
  { name: 'main', prerelease: null },
  { name: 'master', prerelease: null },
  { name: 'beta', prerelease: 'beta' },
  { name: 'next', prerelease: 'rc' },
];

export const configSchema = z.strictObject({
  /** Tag template: `v{version}` (default), `{version}`, `t{version}`, `{package}@{version}`. */
  tagFormat: z
    .string()
    .refine((t) => t.includes('{version}'), 'the tag format must contain {version}')
    .default('v{version}'),
  /** The package name for `{package}@{version}` tag formats (monorepos). */
  package: z.string().min(1).optional(),
  /** The version of the very first release, when no release tag exists yet. */
  firstRelease: version.default('1.0.0'),
  bump: bumpSchema.default(() => bumpSchema.parse({})),
  /** Branches that release, and their channel. */
  branches: z
    .array(branchSchema)
    .min(1)
    .default(() => DEFAULT_BRANCHES.map((b) => ({ ...b }))),
  notes: notesSchema.default(() => notesSchema.parse({})),
  /** Repositories never released automatically (`owner/name` or `name`). */
  excludeRepos: z.array(z.string().min(1)).default([]),
  /** Commit authors (name or e-mail, `*` wildcard such as `*[bot]`) whose commits do not count toward a release. */
  ignoreAuthors: z.array(z.string().min(1)).default([]),
  release: releaseSchema.default(() => releaseSchema.parse({})),
  fleet: fleetSchema.default(() => fleetSchema.parse({})),
  /** Notification targets; the notify layer validates its own section. */
  notify: z.record(z.string(), z.unknown()).default({}),
  /** Files whose version a release PR bumps (`cutter draft-release`). */
  versionFiles: z.array(versionFileSchema).default([]),
  /** Monorepo packages, each released on its own with its own tags. */
  packages: z.array(packageSchema).default([]),
  /** Publish freezes: weekly slots and date ranges. */
  freeze: freezeSchema.default(() => freezeSchema.parse({})),
  /** Required checks: the gate before the tag. */
  checks: checksSchema.default(() => checksSchema.parse({})),
  /** Image roll-out targets; the deploy layer validates its own section. */
  deploy: z.record(z.string(), z.unknown()).default({}),
  /** Supply chain: signing key, trusted keys, SBOM source, the roll-out policy (`require: [signature, sbom, provenance]`). */
  supply: supplySectionSchema.optional(),
});

export type CutterConfig = z.output<typeof configSchema>;
export type CutterConfigInput = z.input<typeof configSchema>;
export type BranchConfig = z.output<typeof branchSchema>;
export type FreezeConfig = z.output<typeof freezeSchema>;
export type ChecksConfig = z.output<typeof checksSchema>;
