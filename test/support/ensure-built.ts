// Builds dist/ (`npm run build`) when it is missing or older than src/, so CLI tests run the real bin.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CUTTER_BIN = path.join(REPO_ROOT, 'bin', 'cutter.js');
const ENTRY = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
/** Written by the build after tsc (sbom-precompile.ts): a dist/ from a bare `tsc` lacks it. */
export const PRECOMPILED_SBOM_VALIDATOR = path.join(
  REPO_ROOT,
  'dist',
  'supply',
  'precompiled',
  'cyclonedx-1.6.validate.cjs',
);

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Build once when stale; a lock keeps parallel test files from building at the same time. */
export async function ensureBuilt(): Promise<void> {
  const fresh = () =>
    existsSync(ENTRY) &&
    existsSync(PRECOMPILED_SBOM_VALIDATOR) &&
    statSync(ENTRY).mtimeMs >= newestSourceMtime(path.join(REPO_ROOT, 'src'));
  if (fresh()) return;
  // tsc emits even when another area has type errors; the typecheck step reports those, not this one.
  // Asynchronous on purpose: a blocked test worker misses vitest's RPC heartbeats.
  await new Promise<void>((resolve, reject) => {
    // npm run build: tsc, then the build's own steps (the precompiled SBOM validator).
    const child = spawn('flock', ['/tmp/cutter-build.lock', 'npm', 'run', 'build'], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  if (!existsSync(ENTRY)) throw new Error('the build did not produce dist/cli/main.js: run `npm run build` to see why');
}
