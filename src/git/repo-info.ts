// Reads what the release flow needs to know about a local repository: root, HEAD, branch, shallowness, web URL.
import { webUrlFromRemote } from './remote-url.js';
import { emptyRepoError, runGit } from './run-git.js';

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

/** Everything above in one go: the probes are independent, so they run in parallel. */
export async function readRepoInfo(cwd: string, remote = 'origin'): Promise<RepoInfo> {
  const [top, head, branch, repoUrl] = await Promise.all([
    runGit(cwd, ['rev-parse', '--show-toplevel', '--is-shallow-repository']),
    headSha(cwd),
    currentBranch(cwd),
    remoteWebUrl(cwd, remote),
  ]);
  const [root = cwd, shallowLine = 'false'] = top.stdout.split('\n');
  return { root, head, branch, shallow: shallowLine.trim() === 'true', repoUrl };
}
