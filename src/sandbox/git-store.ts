// All git access of the sandbox: bare repos on disk read and written through the real `git` CLI.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CutterError } from '../core/errors.js';
import { type CatFileEntry, catFileAcross, parseBatch } from './object-batch.js';

export type { CatFileEntry } from './object-batch.js';

import { bareRepoPath } from './reader.js';
import { RefListings } from './ref-listing.js';
import { TickBatch } from './tick-batch.js';

export const ZERO_SHA = '0000000000000000000000000000000000000000';

export interface GitPerson {
  name: string;
  email: string;
  /** ISO-8601, UTC. */
  date: string;
}

export interface GitCommitObject {
  sha: string;
  tree: string;
  parents: string[];
  author: GitPerson;
  committer: GitPerson;
  message: string;
}

export interface GitTagObject {
  sha: string;
  object: string;
  type: string;
  tag: string;
  tagger: GitPerson;
  message: string;
}

export interface GitRefEntry {
  ref: string;
  sha: string;
  type: string;
  /** The commit an annotated tag points at; equal to sha for refs that point at commits. */
  peeled: string;
  /** Never filled any more: listings read no commits; ask readCommit when a date is needed (kept for callers). */
  committedDate?: string;
}

export interface GitTreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  size: number;
  name: string;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  /** Exit codes that are answers rather than failures (e.g. 1 from merge-base --is-ancestor). */
  okCodes?: number[];
}

export interface RunResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Spawn `git` with an argument array (never a shell string) in a repo directory. */
export function runGit(cwd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // Without input, stdin is /dev/null (end of file at once, as an empty pipe is): one pipe fewer to set up per run.
    const feed = opts.input !== undefined;
    const child = spawn('git', args, {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...opts.env },
      stdio: [feed ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) =>
      reject(new CutterError('CUTTER_GIT_FAILED', `git ${args[0]} could not start: ${e.message}`)),
    );
    child.on('close', (code) => {
      const result = { code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
      if (code === 0 || opts.okCodes?.includes(code ?? -1)) resolve(result);
      else
        reject(
          new CutterError(
            'CUTTER_GIT_FAILED',
            `git ${args[0]} failed (${code}): ${result.stderr.trim().slice(0, 500)}`,
          ),
        );
    });
    if (feed) {
      child.stdin?.on('error', () => {
        // git may exit before reading all input (e.g. a bad object); the close handler reports it.
      });
      child.stdin?.end(opts.input);
    }
  });
}

/** `1700000000 +0200` → ISO-8601 UTC without milliseconds, as GitHub prints dates. */
export function gitDateToIso(stamp: string): string {
  const seconds = Number(stamp.trim().split(' ')[0]);
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parsePerson(line: string): GitPerson {
  const m = /^(.*) <(.*)> (\d+ [+-]\d{4})$/.exec(line);
  if (!m) return { name: line, email: '', date: new Date(0).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  return { name: m[1] ?? '', email: m[2] ?? '', date: gitDateToIso(m[3] ?? '0') };
}

/** Split a raw commit/tag object into its header fields and message. */
function splitObject(raw: string): { headers: [string, string][]; message: string } {
  const end = raw.indexOf('\n\n');
  const head = end === -1 ? raw : raw.slice(0, end);
  const message = end === -1 ? '' : raw.slice(end + 2);
  const headers: [string, string][] = [];
  for (const line of head.split('\n')) {
    if (line.startsWith(' ') && headers.length > 0) {
      // continuation (e.g. gpgsig): kept with the previous header
      const last = headers[headers.length - 1]!;
      last[1] += `\n${line.slice(1)}`;
      continue;
    }
    const sp = line.indexOf(' ');
    headers.push([line.slice(0, sp), line.slice(sp + 1)]);
  }
  return { headers, message };
}

export function parseCommitObject(sha: string, raw: string): GitCommitObject {
  const { headers, message } = splitObject(raw);
  const get = (k: string) => headers.find(([h]) => h === k)?.[1] ?? '';
  return {
    sha,
    tree: get('tree'),
    parents: headers.filter(([h]) => h === 'parent').map(([, v]) => v),
    author: parsePerson(get('author')),
    committer: parsePerson(get('committer')),
    message,
  };
}

export function parseTagObject(sha: string, raw: string): GitTagObject {
  const { headers, message } = splitObject(raw);
  const get = (k: string) => headers.find(([h]) => h === k)?.[1] ?? '';
  return {
    sha,
    object: get('object'),
    type: get('type'),
    tag: get('tag'),
    tagger: parsePerson(get('tagger')),
    message,
  };
}

const SHA_RE = /^[0-9a-f]{40}$/;

/** Config every served repo needs, passed through the environment so seeded repos need no per-repo setup. */
export const SERVED_REPO_CONFIG: Record<string, string> = {
  'http.receivepack': 'true',
  'receive.denyNonFastForwards': 'true',
};

/** `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` for {@link SERVED_REPO_CONFIG}. */
export function servedRepoConfigEnv(): Record<string, string> {
  const entries = Object.entries(SERVED_REPO_CONFIG);
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(entries.length) };
  entries.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = k;
    env[`GIT_CONFIG_VALUE_${i}`] = v;
  });
  return env;
}

/** Bounded memo of immutable commit objects (a sha names the same commit forever). */
const COMMIT_CACHE_LIMIT = 50_000;

/** Bounded memo of object types per repo (`dir\0sha` → type): an object, once there, never changes or leaves. */
const TYPE_CACHE_LIMIT = 50_000;

/**
 * A ref name every component of which is plain (letters, digits, `._+-`, no leading dot, no `..`, no `.lock` or `.`
 * ending) passes `git check-ref-format` by its rules; anything else is left to git itself.
 */
function plainlyValidRefName(ref: string): boolean {
  if (ref.length > 255 || ref.includes('..')) return false;
  return ref
    .split('/')
    .every((part) => /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/.test(part) && !part.endsWith('.lock') && !part.endsWith('.'));
}

export class GitStore {
  /**
   * Ref listings per repo, read from git's own ref files and validated against their stamps on every read, so
   * writers that bypass the sandbox are seen too; every write the sandbox makes also invalidates explicitly.
   */
  private readonly refs = new RefListings(
    async (cwd, args, input) => (await runGit(cwd, args, { input })).stdout,
    (dir) => this.forEachRef(dir),
    (sha, raw) => this.rememberCommit(parseCommitObject(sha, raw.toString('utf8'))),
  );
  private readonly commitCache = new Map<string, GitCommitObject>();
  private readonly typeCache = new Map<string, string>();
  /** Commit reads of one turn, answered with one `git cat-file --batch` per shared object store. */
  private readonly commitBatch = new TickBatch<{ dir: string; sha: string }, GitCommitObject | null>((asks) =>
    this.loadCommits(asks),
  );

  constructor(readonly root: string) {}

  /** Forget cached refs of a repo (after a push or any ref write). */
  invalidate(owner: string, name: string): void {
    this.refs.invalidate(this.path(owner, name));
  }

  path(owner: string, name: string): string {
    return bareRepoPath(this.root, owner, name);
  }

  git(owner: string, name: string, args: string[], opts?: RunOptions): Promise<RunResult> {
    return runGit(this.path(owner, name), args, opts);
  }

  /** Create an empty bare repo at the layout every sandbox part shares. */
  async init(owner: string, name: string, defaultBranch: string): Promise<void> {
    const dir = this.path(owner, name);
    await mkdir(dir, { recursive: true });
    // http.receivepack and denyNonFastForwards come from the environment at serve time (servedRepoConfigEnv)
    await runGit(dir, ['init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`]);
  }

  async exists(owner: string, name: string): Promise<boolean> {
    try {
      await this.git(owner, name, ['rev-parse', '--git-dir']);
      return true;
    } catch {
      return false;
    }
  }

  /** All refs under a prefix (e.g. `refs/tags/`), annotated tags peeled, sorted by ref name. */
  async listRefs(owner: string, name: string, prefix = 'refs/'): Promise<GitRefEntry[]> {
    const all = await this.refs.list(this.path(owner, name));
    return prefix === 'refs/' ? all : all.filter((r) => r.ref.startsWith(prefix));
  }

  /** Refs as `git for-each-ref` lists them, for repos whose ref storage the file reader does not know. */
  private async forEachRef(dir: string): Promise<GitRefEntry[]> {
    const fmt = '%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)';
    const { stdout } = await runGit(dir, ['for-each-ref', `--format=${fmt}`, 'refs/']);
    const out: GitRefEntry[] = [];
    for (const line of stdout.toString('utf8').split('\n')) {
      if (!line) continue;
      const [ref = '', sha = '', type = '', peeled = ''] = line.split('\0');
      out.push({ ref, sha, type, peeled: peeled || sha });
    }
    return out;
  }

  /** Resolve a branch, tag, ref or sha to a commit sha; null when it names nothing. */
  async resolveCommit(owner: string, name: string, rev: string): Promise<string | null> {
    if (!rev || rev.startsWith('-') || /[\s\0]/.test(rev)) return null;
    // A full commit sha names itself: read it (batched, cached) instead of one `rev-parse` per ask.
    if (SHA_RE.test(rev) && (await this.readCommit(owner, name, rev))) return rev;
    const { code, stdout } = await this.git(
      owner,
      name,
      ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`],
      {
        okCodes: [1, 128],
      },
    );
    const sha = stdout.toString('utf8').trim();
    return code === 0 && SHA_RE.test(sha) ? sha : null;
  }

  /** Read many objects in one `git cat-file --batch` process. */
  async readObjects(owner: string, name: string, shas: string[]): Promise<(CatFileEntry | null)[]> {
    if (shas.length === 0) return [];
    const { stdout } = await this.git(owner, name, ['cat-file', '--batch'], { input: `${shas.join('\n')}\n` });
    return parseBatch(stdout);
  }

  async readCommits(owner: string, name: string, shas: string[]): Promise<GitCommitObject[]> {
    const dir = this.path(owner, name);
    const found = await Promise.all(
      shas.map((sha) => this.commitCache.get(sha) ?? this.commitBatch.load({ dir, sha })),
    );
    return found.filter((c): c is GitCommitObject => c !== null);
  }

  private rememberCommit(c: GitCommitObject): void {
    if (this.commitCache.size >= COMMIT_CACHE_LIMIT) this.commitCache.clear();
    this.commitCache.set(c.sha, c);
  }

  /** Commits asked for by many callers (and repos) in one turn: one `cat-file --batch` per shared object store. */
  private async loadCommits(
    asks: { dir: string; sha: string }[],
  ): Promise<PromiseSettledResult<GitCommitObject | null>[]> {
    const todo = asks.filter((a) => SHA_RE.test(a.sha) && !this.commitCache.has(a.sha));
    try {
      const objs = await catFileAcross(
        async (cwd, args, input) => (await runGit(cwd, args, { input })).stdout,
        todo.map((a) => ({ dir: a.dir, name: a.sha })),
        ['--batch'],
        (out) => parseBatch(out),
      );
      const fresh = new Map<string, GitCommitObject>();
      for (const o of objs) {
        if (o && o.type === 'commit') fresh.set(o.sha, parseCommitObject(o.sha, o.content.toString('utf8')));
      }
      for (const c of fresh.values()) this.rememberCommit(c);
      return asks.map((a) => ({ status: 'fulfilled', value: fresh.get(a.sha) ?? this.commitCache.get(a.sha) ?? null }));
    } catch (reason) {
      return asks.map(() => ({ status: 'rejected', reason }));
    }
  }

  async readCommit(owner: string, name: string, sha: string): Promise<GitCommitObject | null> {
    if (!SHA_RE.test(sha)) return null;
    return (await this.readCommits(owner, name, [sha]))[0] ?? null;
  }

  async readTag(owner: string, name: string, sha: string): Promise<GitTagObject | null> {
    if (!SHA_RE.test(sha)) return null;
    const [o] = await this.readObjects(owner, name, [sha]);
    return o && o.type === 'tag' ? parseTagObject(o.sha, o.content.toString('utf8')) : null;
  }

  async objectType(owner: string, name: string, sha: string): Promise<string | null> {
    if (!SHA_RE.test(sha)) return null;
    const key = `${this.path(owner, name)}\0${sha}`;
    const known = this.typeCache.get(key) ?? (this.commitCache.has(sha) ? 'commit' : undefined);
    if (known) return known;
    const [o] = await this.readObjects(owner, name, [sha]);
    if (o) this.rememberType(key, o.type);
    return o?.type ?? null;
  }

  private rememberType(key: string, type: string): void {
    if (this.typeCache.size >= TYPE_CACHE_LIMIT) this.typeCache.clear();
    this.typeCache.set(key, type);
  }

  /** Commit shas reachable from `tip`, newest first (git's default order), paged. */
  async revList(
    owner: string,
    name: string,
    range: string[],
    opts: { max?: number; skip?: number; path?: string } = {},
  ) {
    const args = ['rev-list'];
    if (opts.max !== undefined) args.push(`--max-count=${opts.max}`);
    if (opts.skip) args.push(`--skip=${opts.skip}`);
    args.push(...range);
    if (opts.path) args.push('--', opts.path);
    const { stdout } = await this.git(owner, name, args);
    return stdout.toString('utf8').split('\n').filter(Boolean);
  }

  /** `rev-list --parents`: the same commits in the same order, each with its parents. */
  async revListWithParents(
    owner: string,
    name: string,
    range: string[],
  ): Promise<{ sha: string; parents: string[] }[]> {
    const { stdout } = await this.git(owner, name, ['rev-list', '--parents', ...range]);
    return stdout
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [sha = '', ...parents] = line.split(' ');
        return { sha, parents };
      });
  }

  async countCommits(owner: string, name: string, range: string[]): Promise<number> {
    const { stdout } = await this.git(owner, name, ['rev-list', '--count', ...range]);
    return Number(stdout.toString('utf8').trim());
  }

  async mergeBase(owner: string, name: string, a: string, b: string): Promise<string | null> {
    const { code, stdout } = await this.git(owner, name, ['merge-base', a, b], { okCodes: [1] });
    return code === 0 ? stdout.toString('utf8').trim() : null;
  }

  async isAncestor(owner: string, name: string, ancestor: string, descendant: string): Promise<boolean> {
    const { code } = await this.git(owner, name, ['merge-base', '--is-ancestor', ancestor, descendant], {
      okCodes: [1],
    });
    return code === 0;
  }

  /** Is this a valid full ref name (`refs/…`) by git's own rules? */
  async isValidRefName(ref: string): Promise<boolean> {
    if (!ref.startsWith('refs/') || /[\s\0-\x1f\x7f]/.test(ref)) return false;
    if (plainlyValidRefName(ref)) return true;
    const { code } = await runGit(this.root, ['check-ref-format', ref], { okCodes: [1, 128] });
    return code === 0;
  }

  /**
   * Move a ref with git's compare-and-swap: `oldSha` ZERO_SHA means "must not exist yet", undefined means "any".
   * Returns false when the ref's current value did not match.
   */
  async updateRef(owner: string, name: string, ref: string, newSha: string, oldSha?: string): Promise<boolean> {
    const args = ['update-ref', '-m', 'sandbox api', ref, newSha];
    if (oldSha !== undefined) args.push(oldSha);
    const { code } = await this.git(owner, name, args, { okCodes: [1, 128] });
    this.invalidate(owner, name);
    return code === 0;
  }

  async deleteRef(owner: string, name: string, ref: string): Promise<boolean> {
    const { code } = await this.git(owner, name, ['update-ref', '-d', ref], { okCodes: [1, 128] });
    this.invalidate(owner, name);
    return code === 0;
  }

  /** Write an annotated tag object with `git mktag` (which checks it) and return its sha. */
  async mktag(owner: string, name: string, t: Omit<GitTagObject, 'sha'>): Promise<string> {
    return (await this.writeTag(owner, name, t)).sha;
  }

  /** `mktag`, answering with the tag object as written (parsed from the bytes git stored, no read back). */
  async writeTag(owner: string, name: string, t: Omit<GitTagObject, 'sha'>): Promise<GitTagObject> {
    const when = Math.floor(Date.parse(t.tagger.date) / 1000);
    const body = `object ${t.object}\ntype ${t.type}\ntag ${t.tag}\ntagger ${t.tagger.name} <${t.tagger.email}> ${when} +0000\n\n${t.message.endsWith('\n') || t.message === '' ? t.message : `${t.message}\n`}`;
    const { stdout } = await this.git(owner, name, ['mktag'], { input: body });
    const sha = stdout.toString('utf8').trim();
    this.rememberType(`${this.path(owner, name)}\0${sha}`, 'tag');
    return parseTagObject(sha, body);
  }

  /** Create a commit object for a tree with given parents and identity. */
  async commitTree(
    owner: string,
    name: string,
    c: { tree: string; parents: string[]; message: string; author: GitPerson; committer: GitPerson },
  ): Promise<string> {
    const args = ['commit-tree', c.tree];
    for (const p of c.parents) args.push('-p', p);
    const { stdout } = await this.git(owner, name, args, {
      input: c.message,
      env: {
        GIT_AUTHOR_NAME: c.author.name,
        GIT_AUTHOR_EMAIL: c.author.email,
        GIT_AUTHOR_DATE: `${Math.floor(Date.parse(c.author.date) / 1000)} +0000`,
        GIT_COMMITTER_NAME: c.committer.name,
        GIT_COMMITTER_EMAIL: c.committer.email,
        GIT_COMMITTER_DATE: `${Math.floor(Date.parse(c.committer.date) / 1000)} +0000`,
      },
    });
    return stdout.toString('utf8').trim();
  }

  /** Three-way merge without a worktree (`git merge-tree --write-tree`): the tree, or null on conflict. */
  async mergeTree(owner: string, name: string, ours: string, theirs: string): Promise<string | null> {
    const { code, stdout } = await this.git(owner, name, ['merge-tree', '--write-tree', ours, theirs], {
      okCodes: [1],
    });
    return code === 0 ? (stdout.toString('utf8').split('\n')[0] ?? '').trim() : null;
  }

  /** Entries of the tree at `path` in a commit (path '' = root), or null when the path is not a tree. */
  async lsTree(owner: string, name: string, commit: string, path: string): Promise<GitTreeEntry[] | null> {
    const spec = path ? `${commit}:${path}` : `${commit}^{tree}`;
    const { code, stdout } = await this.git(owner, name, ['ls-tree', '-l', '-z', spec], { okCodes: [128] });
    if (code !== 0) return null;
    return stdout
      .toString('utf8')
      .split('\0')
      .filter(Boolean)
      .map((line) => {
        const tab = line.indexOf('\t');
        const [mode = '', type = 'blob', sha = '', size = '-'] = line.slice(0, tab).split(/\s+/);
        return {
          mode,
          type: type as GitTreeEntry['type'],
          sha,
          size: size === '-' ? 0 : Number(size),
          name: line.slice(tab + 1),
        };
      });
  }

  /** The object at `path` in a commit: its sha and type, or null. */
  async objectAt(
    owner: string,
    name: string,
    commit: string,
    path: string,
  ): Promise<{ sha: string; type: string } | null> {
    const { code, stdout } = await this.git(owner, name, ['rev-parse', '--verify', '--quiet', `${commit}:${path}`], {
      okCodes: [1, 128],
    });
    if (code !== 0) return null;
    const sha = stdout.toString('utf8').trim();
    const type = await this.objectType(owner, name, sha);
    return type ? { sha, type } : null;
  }

  /** A new commit on top of `parent` that sets one file's content (or deletes it when content is null). */
  async commitFile(
    owner: string,
    name: string,
    c: {
      parent: string | null;
      path: string;
      content: Buffer | null;
      message: string;
      author: GitPerson;
      committer: GitPerson;
    },
  ): Promise<{ commit: string; blob: string | null }> {
    const tmp = await mkdtemp(join(tmpdir(), 'sandbox-index-'));
    const env = { GIT_INDEX_FILE: join(tmp, 'index') };
    try {
      if (c.parent) await this.git(owner, name, ['read-tree', c.parent], { env });
      let blob: string | null = null;
      if (c.content) {
        blob = (await this.git(owner, name, ['hash-object', '-w', '--stdin'], { input: c.content })).stdout
          .toString('utf8')
          .trim();
        await this.git(owner, name, ['update-index', '--add', '--cacheinfo', `100644,${blob},${c.path}`], { env });
      } else {
        await this.git(owner, name, ['update-index', '--force-remove', '--', c.path], { env });
      }
      const tree = (await this.git(owner, name, ['write-tree'], { env })).stdout.toString('utf8').trim();
      const commit = await this.commitTree(owner, name, {
        tree,
        parents: c.parent ? [c.parent] : [],
        message: c.message,
        author: c.author,
        committer: c.committer,
      });
      return { commit, blob };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  async readBlob(owner: string, name: string, sha: string): Promise<Buffer | null> {
    const [o] = await this.readObjects(owner, name, [sha]);
    return o && o.type === 'blob' ? Buffer.from(o.content) : null;
  }

  /** Files changed between two commits with line stats (for compare and commit views), from one `diff-tree`. */
  async diffStat(
    owner: string,
    name: string,
    from: string | null,
    to: string,
  ): Promise<{ filename: string; additions: number; deletions: number; status: string; sha: string }[]> {
    const base = from ?? (await this.emptyTree(owner, name));
    const { stdout } = await this.git(owner, name, [
      'diff-tree',
      '-r',
      '-z',
      '--no-renames',
      '--raw',
      '--numstat',
      base,
      to,
    ]);
    // `--raw` records come first as `:meta\0path\0`, then `--numstat` ones as `added\tdeleted\tpath\0`.
    const parts = stdout.toString('utf8').split('\0');
    const raw: Array<{ meta: string[]; file: string }> = [];
    const stats = new Map<string, [number, number]>();
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? '';
      if (part.startsWith(':')) {
        raw.push({ meta: part.split(' '), file: parts[i + 1] ?? '' });
        i++;
        continue;
      }
      const m = /^(\d+|-)\t(\d+|-)\t([\s\S]*)$/.exec(part);
      if (m) stats.set(m[3] ?? '', [m[1] === '-' ? 0 : Number(m[1]), m[2] === '-' ? 0 : Number(m[2])]);
    }
    return raw.map(({ meta, file }) => {
      const letter = (meta[4] ?? 'M')[0];
      const [additions, deletions] = stats.get(file) ?? [0, 0];
      return {
        filename: file,
        additions,
        deletions,
        status: letter === 'A' ? 'added' : letter === 'D' ? 'removed' : 'modified',
        sha: letter === 'D' ? (meta[2] ?? ZERO_SHA) : (meta[3] ?? ZERO_SHA),
      };
    });
  }

  private async emptyTree(owner: string, name: string): Promise<string> {
    return (await this.git(owner, name, ['hash-object', '-t', 'tree', '-w', '--stdin'], { input: '' })).stdout
      .toString('utf8')
      .trim();
  }
}
