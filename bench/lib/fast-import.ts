// Writes a generated history into a fresh git repository by streaming a `git fast-import` script into its stdin.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import type { GeneratedCommit, GeneratedHistory } from './conventional-history.js';
import { runCommand } from './run-command.js';

/** Environment for set-up git commands: no user or system config may change what we generate. */
export const isolatedGitEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Cutter Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Cutter Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
});

/** `data <byte count>\n<bytes>\n`: fast-import counts bytes, not characters. */
function data(text: string): string {
  return `data ${Buffer.byteLength(text, 'utf8')}\n${text}\n`;
}

function commitBlock(commit: GeneratedCommit, mark?: number): string {
  const who = `${commit.author.name} <${commit.author.email}> ${commit.time} +0000`;
  return (
    'commit refs/heads/main\n' +
    (mark === undefined ? '' : `mark :${mark}\n`) +
    `author ${who}\ncommitter ${who}\n` +
    data(`${commit.message}\n`) +
    `M 100644 inline ${commit.path}\n` +
    data(commit.content) +
    '\n'
  );
}

/**
 * Create `dir` as a git repository on branch `main` holding the history: the initial commit carries the
 * annotated tag `v<baseVersion>`, then every generated commit in order, with the work tree checked out.
 */
export async function writeHistoryRepo(dir: string, history: GeneratedHistory): Promise<void> {
  const env = isolatedGitEnv();
  await mkdir(dir, { recursive: true });
  await runCommand('git', ['init', '--quiet', '--initial-branch=main', dir], { cwd: dir, env });
  const importer = spawn('git', ['fast-import', '--quiet', '--done'], {
    cwd: dir,
    env,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  const stderr: Buffer[] = [];
  importer.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const closed = new Promise<number | null>((resolve, reject) => {
    importer.on('error', reject);
    importer.on('close', resolve);
  });
  // A crashing importer closes its stdin: report its exit code and message below rather than EPIPE.
  importer.stdin.on('error', () => {});
  const write = async (text: string): Promise<void> => {
    if (!importer.stdin.write(text)) await once(importer.stdin, 'drain');
  };

  const tagger = `${history.initial.author.name} <${history.initial.author.email}> ${history.initial.time} +0000`;
  await write(commitBlock(history.initial, 1));
  await write(`tag v${history.baseVersion}\nfrom :1\ntagger ${tagger}\n${data(`Release ${history.baseVersion}\n`)}`);
  // Batch commits into larger writes: one write per commit would make Node, not git, the bottleneck.
  let batch = '';
  for (const commit of history.commits) {
    batch += commitBlock(commit);
    if (batch.length > 1 << 20) {
      await write(batch);
      batch = '';
    }
  }
  await write(`${batch}done\n`);
  importer.stdin.end();
  const code = await closed;
  if (code !== 0) throw new Error(`git fast-import exited with ${code}: ${Buffer.concat(stderr).toString('utf8')}`);
  await runCommand('git', ['reset', '--quiet', '--hard', 'main'], { cwd: dir, env });
}
