// Spawns the real `git` CLI with an argument array (never a shell string) and turns failures into CutterErrors.
import { spawn } from 'node:child_process';
import { CutterError } from '../core/errors.js';
import { redact } from '../core/redact.js';

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunGitOptions {
  /** Resolve with the non-zero exit code instead of throwing CUTTER_GIT_FAILED (for probes such as `rev-parse -q`). */
  allowFailure?: boolean;
  /** Written to git's stdin. */
  input?: string;
  /** Extra environment variables for this git process. */
  env?: NodeJS.ProcessEnv;
}

/** Keep error messages to one readable line even when git prints a screenful. */
const STDERR_EXCERPT_CHARS = 400;

/** Environment that keeps git non-interactive and its output stable whatever the user's locale or pager. */
export function gitEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', LANG: 'C', GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', ...extra };
}

/** Run `git <args>` in `cwd` and collect its output. */
export function runGit(cwd: string, args: readonly string[], opts: RunGitOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: gitEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => reject(spawnError(cwd, args, error)));
    child.on('close', (code) => {
      const result: GitResult = {
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code: code ?? 1,
      };
      if (result.code !== 0 && !opts.allowFailure) reject(gitFailure(cwd, args, result.stderr, result.code));
      else resolve(result);
    });
    // A git that exits before reading stdin must not crash us with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * How a git whose output was streamed ended, as the CutterError a user can act on; undefined when it exited with 0.
 * Errors name the sub-command without its leading `-c key=value` pairs (`git log`, not `git -c …`).
 */
export function streamedGitFailure(
  cwd: string,
  args: readonly string[],
  exit: { code: number; stderr: Buffer[]; spawnFailure: NodeJS.ErrnoException | undefined },
): CutterError | undefined {
  if (exit.spawnFailure) return spawnError(cwd, args, exit.spawnFailure);
  if (exit.code === 0) return undefined;
  return gitFailure(cwd, withoutConfigPairs(args), Buffer.concat(exit.stderr).toString('utf8'), exit.code);
}

/** The sub-command and its arguments, without leading `-c key=value` pairs. */
function withoutConfigPairs(args: readonly string[]): readonly string[] {
  let i = 0;
  while (args[i] === '-c') i += 2;
  return args.slice(i);
}

/** Map a failed spawn (missing directory, missing git binary) to a CutterError. */
export function spawnError(cwd: string, args: readonly string[], error: NodeJS.ErrnoException): CutterError {
  if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
    // spawn reports a missing cwd and a missing binary with the same code; tell them apart.
    return new CutterError('CUTTER_NOT_A_REPO', `cannot run git in ${cwd}: ${error.message}`, {
      hint: 'check that the directory exists and that git is installed and on PATH',
      cause: error,
    });
  }
  return new CutterError('CUTTER_GIT_FAILED', `git ${args[0] ?? ''} could not start: ${error.message}`, {
    cause: error,
  });
}

/** Map git's exit status and stderr to the CutterError a user can act on. */
export function gitFailure(cwd: string, args: readonly string[], stderr: string, code: number): CutterError {
  const text = stderr.trim();
  if (/not a git repository/i.test(text)) {
    return new CutterError('CUTTER_NOT_A_REPO', `${cwd} is not inside a git repository`, {
      hint: 'run cutter inside a git work tree or pass --cwd <repo>',
    });
  }
  if (
    /does not have any commits yet/i.test(text) ||
    /ambiguous argument 'HEAD'/i.test(text) ||
    /bad default revision 'HEAD'/i.test(text) ||
    /bad revision 'HEAD'/i.test(text) ||
    /malformed object name '?HEAD'?/i.test(text)
  ) {
    return emptyRepoError(cwd);
  }
  if (/shallow/i.test(text) && /(unshallow|grafted|shallow file)/i.test(text)) {
    return shallowCloneError(cwd);
  }
  const excerpt = redact(text.length > STDERR_EXCERPT_CHARS ? `${text.slice(0, STDERR_EXCERPT_CHARS)}…` : text);
  return new CutterError('CUTTER_GIT_FAILED', `git ${args[0] ?? ''} failed (exit ${code}): ${excerpt || 'no output'}`, {
    hint: 'run the same git command by hand to see the full error',
    details: { args: args.map((a) => redact(a)), code },
  });
}

export function emptyRepoError(cwd: string): CutterError {
  return new CutterError('CUTTER_EMPTY_REPO', `the repository at ${cwd} has no commits yet (HEAD is unborn)`, {
    hint: 'commit something first; there is nothing to release',
  });
}

export function shallowCloneError(cwd: string): CutterError {
  return new CutterError(
    'CUTTER_SHALLOW_CLONE',
    `the repository at ${cwd} is a shallow clone: tags and history are incomplete`,
    {
      hint: 'git fetch --unshallow --tags (in CI: actions/checkout with fetch-depth: 0)',
    },
  );
}
