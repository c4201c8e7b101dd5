// The configuration used when a repository has no `.cutter.yml`, as plain data so start-up need not load zod.
import type { CutterConfig } from './schema.js';

/** Must equal `configSchema.parse({})`; a test pins the two together. */
export function defaultConfig(): CutterConfig {
  return {
    tagFormat: 'v{version}',
    firstRelease: '1.0.0',
    bump: { types: {}, defaultPatch: false, preMajorBreaking: 'minor', preMajorFeature: 'minor' },
    branches: [
      { name: 'main', prerelease: null },
      { name: 'master', prerelease: null },
      { name: 'beta', prerelease: 'beta' },
      { name: 'next', prerelease: 'rc' },
    ],
    notes: { contributors: true },
    excludeRepos: [],
    ignoreAuthors: [],
    release: { draft: false, prerelease: false, mode: 'tag' },
    fleet: { pattern: 'connector-*' },
    versionFiles: [],
    packages: [],
    freeze: { windows: [] },
    checks: { required: [], timeoutMinutes: 60 },
    notify: {},
    deploy: {},
  };
}
