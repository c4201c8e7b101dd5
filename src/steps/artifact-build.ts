// Builds a release's artifacts: a shallow checkout of the released tag, the configured command (argv, no shell), the globs.

import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import picomatch from 'picomatch';
import { CutterError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { runGit } from '../git/run-git.js';
import type { GitHubClient } from '../github/client.js';
import type { RepoRef } from '../github/repo-api.js';

export interface ArtifactsConfig {
  command?: string[] | undefined;
  files: string[];
}

export interface BuiltArtifact {
  name: string;
  path: string;
  bytes: Buffer;
}

const COMMAND_TIMEOUT_MS = 10 * 60_000;
const OUTPUT_EXCERPT = 400;

/**
 * Check out `tag` of the repository (depth 1) in a temporary directory, run the build command there, and read
 * every file the globs match. A glob matching nothing, two files with one name, or a failing command is an
 * error naming it. The token reaches git through its environment (http.extraHeader), never its arguments.
 */
export async function buildArtifacts(
  gh: GitHubClient,
  repo: RepoRef,
  tag: string,
  config: ArtifactsConfig,
  signal?: AbortSignal,
): Promise<BuiltArtifact[]> {
  const dir = await mkdtemp(join(tmpdir(), 'cutter-artifacts-'));
  try {
    await checkout(gh, repo, tag, dir);
    if (config.command) await runCommand(config.command, dir, signal);
    return await collect(dir, config.files);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A depth-1 checkout of `tag` in `dir` (the token reaches git through its environment). */
export async function checkout(gh: GitHubClient, repo: RepoRef, tag: string, dir: string): Promise<void> {
  const { data } = await gh.rest.repos.get({ owner: repo.owner, repo: repo.name });
  const auth = (await gh.auth()) as { token?: string };
  const env: NodeJS.ProcessEnv = auth.token
    ? {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.extraHeader',
        GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`x-access-token:${auth.token}`).toString('base64')}`,
      }
    : {};
  await runGit(dir, ['init', '-q']);
  await runGit(dir, ['fetch', '-q', '--depth', '1', data.clone_url, `refs/tags/${tag}`], { env });
  await runGit(dir, ['-c', 'advice.detachedHead=false', 'checkout', '-q', 'FETCH_HEAD']);
}

function runCommand(argv: string[], cwd: string, signal?: AbortSignal): Promise<void> {
  const [file, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, shell: false, timeout: COMMAND_TIMEOUT_MS, ...(signal ? { signal } : {}) });
    let output = '';
    const keep = (b: Buffer) => {
      output = (output + b.toString('utf8')).slice(-OUTPUT_EXCERPT);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) =>
      reject(
        new CutterError('CUTTER_BAD_INPUT', `artifact command ${file} could not start: ${err.message}`, {
          hint: 'release.artifacts.command is an argument list whose first entry is a program on PATH',
        }),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) return resolve();
      reject(
        new CutterError(
          'CUTTER_BAD_INPUT',
          `artifact command ${argv.join(' ')} exited ${code}: ${redact(output.trim())}`,
          {
            hint: 'fix the build (release.artifacts.command in .cutter.yml), then retry the task',
          },
        ),
      );
    });
  });
}

async function collect(dir: string, patterns: string[]): Promise<BuiltArtifact[]> {
  const all = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(dir.length + 1)
        .split('\\')
        .join('/'),
    )
    .filter((p) => !p.startsWith('.git/'))
    .sort();
  const picked = new Map<string, string>();
  for (const pattern of patterns) {
    const isMatch = picomatch(pattern, { dot: true });
    const matches = all.filter((p) => isMatch(p));
    if (matches.length === 0) {
      throw new CutterError('CUTTER_NOT_FOUND', `release artifact ${pattern} matches no file after the build`, {
        hint: 'check release.artifacts.files (paths are relative to the repository root) and the build command',
      });
    }
    for (const path of matches) {
      const name = basename(path);
      const other = picked.get(name);
      if (other !== undefined && other !== path) {
        throw new CutterError(
          'CUTTER_BAD_INPUT',
          `release artifacts ${other} and ${path} would both be named ${name}`,
          {
            hint: 'release assets are flat: give each artifact a distinct file name',
          },
        );
      }
      picked.set(name, path);
    }
  }
  const out: BuiltArtifact[] = [];
  for (const [name, path] of picked) out.push({ name, path, bytes: await readFile(join(dir, path)) });
  return out;
}
