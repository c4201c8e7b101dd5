// Which mode writes a package's version files: only a release PR does; tag mode tags the commit CI checked as it is.
import type * as z from 'zod';
import type { CutterConfig } from './schema.js';

/**
 * Version files under `packages` in tag mode, as config issues (file:line comes from their path). Tag mode writes no
 * file, for one package as for many: a release commit made by Cutter would be a commit no CI run has checked, and a
 * protected branch would refuse it. `cutter draft-release --package` bumps them as PR mode on push does.
 */
export function packageVersionFileIssues(config: CutterConfig): z.core.$ZodIssue[] {
  if (config.release.mode === 'pr') return [];
  return config.packages.flatMap((p, i) =>
    p.versionFiles.length === 0
      ? []
      : [
          {
            code: 'custom' as const,
            path: ['packages', i, 'versionFiles'],
            message: `package "${p.name}" has version files, which only its release PR bumps: set release.mode: pr, or remove them (tag mode tags the commit CI checked and writes no file)`,
            input: p.versionFiles,
          },
        ],
  );
}
