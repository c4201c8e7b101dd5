// Reads what the release flow needs to know about a local repository: root, HEAD, branch, shallowness, web URL.
import { webUrlFromRemote } from './remote-url.js';
import { emptyRepoError, gitFailure, runGit } from './run-git.js';

export interface RepoInfo {
  /** Absolute path of the work tree root. */
  root: string;
  /** Full sha of the commit HEAD points at. */
  head: string;
  /** Current branch name, or null on a detached HEAD (CI checkouts of a tag or sha). */
  branch: string | null;
  shallow: boolean;
  /** `https://github.com/owner/repo` from the remote, credentials stripped; null when there is none. */
  repoUrl: string | null;
}

/** The sha HEAD points at; CUTTER_EMPTY_REPO when HEAD is unborn, CUTTER_NOT_A_REPO outside a repository. */
export async function headSha(cwd: string): Promise<string> {
  const res = await runGit(cwd, ['rev-parse', '-q', '--verify', 'HEAD^{commit}'], { allowFailure: true });
  if (res.code === 0) return res.stdout.trim();
  // Exit 1 with no output also happens outside a repo: ask a question that fails loudly there.
  await runGit(cwd, ['rev-parse', '--git-dir']);
  throw emptyRepoError(cwd);
}

/** True for a shallow clone (`git clone --depth`), whose tags and history are incomplete. */
export async function isShallow(cwd: string): Promise<boolean> {
  const res = await runGit(cwd, ['rev-parse', '--is-shallow-repository']);
  return res.stdout.trim() === 'true';
}

/** The checked-out branch, or null when HEAD is detached. */
export async function currentBranch(cwd: string): Promise<string | null> {
  const res = await runGit(cwd, ['symbolic-ref', '-q', '--short', 'HEAD'], { allowFailure: true });
  return res.code === 0 ? res.stdout.trim() : null;
}

/** The web URL of `remote` (default origin), or null when the remote is missing or not a web host. */
export async function remoteWebUrl(cwd: string, remote = 'origin'): Promise<string | null> {
  if (remote.startsWith('-')) return null;
  const res = await runGit(cwd, ['remote', 'get-url', '--', remote], { allowFailure: true });
  return res.code === 0 ? webUrlFromRemote(res.stdout) : null;
}

/**
 * Everything above with as few git processes as possible (spawning dominates on a busy machine):
 * one `rev-parse` answers root, shallowness, HEAD and its branch; the remote is read alongside.
 */
export async function readRepoInfo(cwd: string, remote = 'origin'): Promise<RepoInfo> {
  const [probe, repoUrl] = await Promise.all([
    runGit(cwd, ['rev-parse', '--show-toplevel', '--is-shallow-repository', 'HEAD', '--symbolic-full-name', 'HEAD'], {
      allowFailure: true,
    }),
    remoteWebUrl(cwd, remote),
  ]);
  if (probe.code !== 0) {
    // Not a repository, or an unborn HEAD: let the single-purpose probes name the problem.
    await headSha(cwd);
    throw gitFailure(cwd, ['rev-parse'], probe.stderr, probe.code);
  }
  const [root = cwd, shallow = 'false', head = '', symbolic = 'HEAD'] = probe.stdout.split('\n');
  const branch = symbolic.startsWith('refs/heads/') ? symbolic.slice('refs/heads/'.length) : null;
  return { root, head, branch, shallow: shallow === 'true', repoUrl };
}
