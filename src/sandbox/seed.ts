// Builds a sandbox org from a declarative spec: one bare git repo per repository, written by `git fast-import`.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { z } from 'zod';
import { CutterError } from '../core/errors.js';
import { bareRepoPath, type SandboxRepoInfo } from './reader.js';

const person = z.object({ name: z.string().min(1), email: z.string().min(1) });
const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO-8601 date');

const commitStep = z.object({
  commit: z.string().min(1),
  /** Path → new content; null deletes the path. Without files, the commit rewrites `HISTORY` so it is never empty. */
  files: z.record(z.string(), z.string().nullable()).optional(),
  author: person.optional(),
  committer: person.optional(),
  date: isoDate.optional(),
});
const tagStep = z.object({
  tag: z.string().min(1),
  annotated: z.boolean().optional(),
  message: z.string().optional(),
  /** Branch or earlier tag to tag; the current branch's tip by default. */
  on: z.string().optional(),
  date: isoDate.optional(),
  tagger: person.optional(),
});
const branchStep = z.object({ branch: z.string().min(1), from: z.string().optional() });
const checkoutStep = z.object({ checkout: z.string().min(1) });
const mergeStep = z.object({
  merge: z.string().min(1),
  message: z.string().optional(),
  author: person.optional(),
  date: isoDate.optional(),
});

export const historyStepSchema = z.union([commitStep, tagStep, branchStep, checkoutStep, mergeStep]);

export const releaseSpecSchema = z.object({
  tag: z.string().min(1),
  name: z.string().optional(),
  body: z.string().optional(),
  draft: z.boolean().optional(),
  prerelease: z.boolean().optional(),
});

const REPO_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export const repoSpecSchema = z.object({
  name: z
    .string()
    .regex(REPO_NAME, 'letters, digits, "-", "_" and "." only')
    .refine((n) => n !== '.' && n !== '..' && !n.endsWith('.git'), 'not a usable repository name'),
  description: z.string().optional(),
  topics: z.array(z.string()).optional(),
  archived: z.boolean().optional(),
  private: z.boolean().optional(),
  defaultBranch: z.string().optional(),
  /** Date of the first commit; later commits without a date follow one hour apart. */
  startDate: isoDate.optional(),
  author: person.optional(),
  history: z.array(historyStepSchema),
  releases: z.array(releaseSpecSchema).optional(),
});

export const orgSpecSchema = z.object({
  org: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'a GitHub login: letters, digits and "-"'),
  repos: z.array(repoSpecSchema),
});

export type Person = z.infer<typeof person>;
export type HistoryStep = z.infer<typeof historyStepSchema>;
export type ReleaseSpec = z.infer<typeof releaseSpecSchema>;
export type RepoSpec = z.infer<typeof repoSpecSchema>;
export type OrgSpec = z.infer<typeof orgSpecSchema>;

export interface SeededRelease {
  id: number;
  tag_name: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  target_commitish: string;
  created_at: string;
  published_at: string | null;
}

export interface SeededTag {
  /** The tag object (annotated) or the commit (lightweight) the ref points at. */
  oid: string;
  commitOid: string;
  annotated: boolean;
}

export interface SeededRepo extends SandboxRepoInfo {
  /** Path of the bare repository (absolute when `root` is). */
  path: string;
  /** Branch name → commit oid. */
  heads: Record<string, string>;
  /** Tag name → target. */
  tags: Record<string, SeededTag>;
  commitCount: number;
  releases: SeededRelease[];
  /** True when the repo already existed and `onExisting: 'skip'` left it alone (metadata read back from disk). */
  skipped: boolean;
}

export interface SeedOptions {
  /** What to do when a repository already exists on disk: refuse the whole seed (default) or leave it as is. */
  onExisting?: 'refuse' | 'skip';
}

const DEFAULT_AUTHOR: Person = { name: 'Acme Developer', email: 'dev@acme.example' };
const DEFAULT_START = '2024-01-02T09:00:00Z';
const HOUR = 3_600_000;
/** Seed metadata that git cannot hold (topics, archived, releases) sits next to the objects it describes. */
const METADATA_FILE = 'cutter-sandbox.json';
const SCRATCH_REF = 'refs/seed/scratch';
const STORE_NAMESPACE = 'refs/repos';

/**
 * Seed every repository of the org under `root` (`${root}/git/${org}/${name}.git`). The objects of all new repos
 * come from one fast-import into `${root}/seed-store/${org}/<hash>.git`, which the repos borrow from: keep it.
 */
export async function seedOrg(root: string, spec: OrgSpec, options: SeedOptions = {}): Promise<SeededRepo[]> {
  const parsed = orgSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CutterError(
      'CUTTER_BAD_INPUT',
      `invalid org spec at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      {
        hint: 'fix the seed description; see OrgSpec in src/sandbox/seed.ts',
      },
    );
  }
  const org = parsed.data;
  const names = new Set<string>();
  for (const repo of org.repos) {
    if (names.has(repo.name.toLowerCase())) {
      throw new CutterError('CUTTER_BAD_INPUT', `repository ${org.org}/${repo.name} appears twice in the seed`);
    }
    names.add(repo.name.toLowerCase());
  }
  // Plan every stream before touching the disk, so a bad step refuses the seed without leaving half an org.
  const plans: RepoPlan[] = [];
  for (const repo of org.repos) plans.push(planRepo(org.org, repo, plans.at(-1)?.lastMark ?? 0));
  const onExisting = options.onExisting ?? 'refuse';
  const existing = await Promise.all(plans.map((p) => exists(bareRepoPath(root, org.org, p.repo.name))));
  if (onExisting === 'refuse') {
    const clash = plans.filter((_, i) => existing[i]).map((p) => p.repo.name);
    if (clash.length > 0) {
      throw new CutterError(
        'CUTTER_REFUSED',
        `${clash.length} repositories already exist under ${root} (first: ${org.org}/${clash[0]})`,
        { hint: "seed into a fresh root, or pass { onExisting: 'skip' } to keep them" },
      );
    }
  }
  const fresh = plans.filter((_, i) => !existing[i]);
  const marks =
    fresh.length > 0 ? await importObjects(root, org.org, fresh) : { store: '', oids: new Map<number, string>() };
  const results: SeededRepo[] = new Array(plans.length);
  const created: string[] = [];
  try {
    // Small batches: a thousand repos are a few thousand small files; unbounded parallel writes only thrash the disk.
    for (let i = 0; i < plans.length; i += 32) {
      await Promise.all(
        plans.slice(i, i + 32).map(async (plan, k) => {
          const path = bareRepoPath(root, org.org, plan.repo.name);
          if (existing[i + k]) {
            results[i + k] = await readSeededRepo(root, org.org, plan.repo.name);
            return;
          }
          created.push(path);
          results[i + k] = await writeRepo(path, plan, marks.store, marks.oids);
        }),
      );
    }
  } catch (err) {
    // A half-seeded org would lie to every later read: remove what this call created.
    await Promise.all(created.map((path) => rm(path, { recursive: true, force: true })));
    throw err;
  }
  return results;
}

/**
 * One `git fast-import` for the whole org into a shared object store: spawning git once per repository costs
 * ~100 ms each on a busy machine, which is minutes for a thousand repos. Each repository then borrows the store's
 * objects through `objects/info/alternates`, the mechanism GitHub itself uses for forks.
 */
async function importObjects(
  root: string,
  owner: string,
  plans: RepoPlan[],
): Promise<{ store: string; oids: Map<number, string> }> {
  const names = plans.map((p) => p.repo.name).join('\n');
  const store = `${root}/seed-store/${owner}/${createHash('sha256').update(names).digest('hex').slice(0, 16)}.git`;
  const stream = `${plans.map((p) => p.stream).join('')}done\n`;
  await mkdir(dirname(store), { recursive: true });
  await rm(store, { recursive: true, force: true });
  try {
    await runGit(['init', '--quiet', '--bare', '--template=', store], dirname(store));
    // The store's refs are the only thing keeping seeded objects alive: never let git prune or repack them away.
    await writeFile(
      `${store}/config`,
      '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n[gc]\n\tauto = 0\n\tpruneExpire = never\n',
    );
    const marksFile = `${store}/seed.marks`;
    await runGit(['fast-import', '--quiet', '--done', `--export-marks=${marksFile}`], store, stream);
    const oids = parseMarks(await readFile(marksFile, 'utf8'));
    await rm(marksFile, { force: true });
    await writeTagObjects(
      store,
      plans.flatMap((p) => p.annotatedTags),
      oids,
    );
    // The store's refs are what keeps the seeded objects reachable; written once, packed, like `git pack-refs`.
    const keep: PackedRef[] = [];
    for (const plan of plans) {
      const ns = `${STORE_NAMESPACE}/${plan.repo.name}`;
      for (const [branch, m] of plan.branchMarks) keep.push({ ref: `${ns}/heads/${branch}`, oid: oids.get(m)! });
      for (const [tag, t] of plan.tagMarks) {
        keep.push({
          ref: `${ns}/tags/${tag}`,
          oid: oids.get(t.mark)!,
          peeled: t.annotated ? oids.get(t.commitMark) : undefined,
        });
      }
    }
    await writeFile(`${store}/packed-refs`, packedRefs(keep));
    return { store, oids };
  } catch (err) {
    await rm(store, { recursive: true, force: true });
    throw err;
  }
}

/** Read back what `seedOrg` recorded for one repository. */
export async function readSeededRepo(root: string, owner: string, name: string): Promise<SeededRepo> {
  const path = bareRepoPath(root, owner, name);
  try {
    const stored = JSON.parse(await readFile(`${path}/${METADATA_FILE}`, 'utf8')) as SeededRepo;
    return { ...stored, path, skipped: true };
  } catch (cause) {
    throw new CutterError('CUTTER_NOT_FOUND', `${owner}/${name} was not seeded under ${root}`, {
      hint: 'the repository exists but has no seed metadata; seed into a fresh root',
      cause,
    });
  }
}

interface AnnotatedTagPlan {
  mark: number;
  name: string;
  commitMark: number;
  tagger: string;
  message: string;
}

interface RepoPlan {
  repo: RepoSpec;
  owner: string;
  /** This repository's part of the org's fast-import stream. */
  stream: string;
  lastMark: number;
  /** Marks to resolve after the import: branch tips, tags (with their commit mark) and releases. */
  branchMarks: Map<string, number>;
  tagMarks: Map<string, { mark: number; commitMark: number; annotated: boolean; date: string }>;
  annotatedTags: AnnotatedTagPlan[];
  commitCount: number;
  firstDate: string;
  lastDate: string;
}

/** Turn a repo spec into one fast-import stream, validating every step (deterministic: dates come from the spec). */
function planRepo(owner: string, repo: RepoSpec, firstMark: number): RepoPlan {
  const defaultBranch = repo.defaultBranch ?? 'main';
  const where = (i: number) => `${owner}/${repo.name} history[${i}]`;
  const bad = (i: number, message: string) => new CutterError('CUTTER_BAD_INPUT', `${where(i)}: ${message}`);
  assertRefName(`refs/heads/${defaultBranch}`, () => bad(-1, `invalid default branch name "${defaultBranch}"`));

  let clock = Date.parse(repo.startDate ?? DEFAULT_START);
  let started = false;
  const nextDate = (explicit: string | undefined): number => {
    if (explicit) clock = Date.parse(explicit);
    else if (started) clock += HOUR;
    started = true;
    return clock;
  };
  const out: string[] = [];
  let mark = firstMark;
  let current = defaultBranch;
  const branchMarks = new Map<string, number>();
  const branchFiles = new Map<string, Map<string, string>>();
  /** Each branch's files when it was created, so a merge can tell their deletions from paths they never had. */
  const branchBase = new Map<string, Map<string, string>>();
  const tagMarks: RepoPlan['tagMarks'] = new Map();
  const annotatedTags: AnnotatedTagPlan[] = [];
  let commitCount = 0;
  let firstDate: number | null = null;
  const who = (p: Person | undefined, at: number) =>
    `${clean(p?.name ?? repo.author?.name ?? DEFAULT_AUTHOR.name)} <${clean(p?.email ?? repo.author?.email ?? DEFAULT_AUTHOR.email)}> ${Math.floor(at / 1000)} +0000`;
  const resolve = (i: number, name: string): number => {
    const b = branchMarks.get(name);
    if (b !== undefined) return b;
    const t = tagMarks.get(name);
    if (t !== undefined) return t.commitMark;
    throw bad(i, `"${name}" is neither a branch nor an earlier tag`);
  };
  const writeCommit = (
    i: number,
    message: string,
    files: Map<string, string | null>,
    author: Person | undefined,
    committer: Person | undefined,
    date: string | undefined,
    mergeFrom: number | null,
  ): void => {
    const at = nextDate(date);
    firstDate ??= at;
    const parent = branchMarks.get(current);
    mark++;
    // Every commit goes through one scratch ref with an explicit parent: fast-import then updates a single ref
    // instead of thousands (each a lock file and a rename); a root commit first clears the scratch ref.
    if (parent === undefined) out.push(`reset ${SCRATCH_REF}`);
    out.push(`commit ${SCRATCH_REF}`, `mark :${mark}`, `author ${who(author, at)}`);
    out.push(`committer ${who(committer ?? author, at)}`, data(message));
    if (parent !== undefined) out.push(`from :${parent}`);
    if (mergeFrom !== null) {
      if (parent === undefined) throw bad(i, 'cannot merge into a branch without commits');
      out.push(`merge :${mergeFrom}`);
    }
    const tree = branchFiles.get(current) ?? new Map<string, string>();
    for (const [path, content] of files) {
      if (!isSafePath(path)) throw bad(i, `unsafe file path "${path}"`);
      if (content === null) {
        out.push(`D ${path}`);
        tree.delete(path);
      } else {
        out.push(`M 100644 inline ${path}`, data(content));
        tree.set(path, content);
      }
    }
    branchFiles.set(current, tree);
    branchMarks.set(current, mark);
    commitCount++;
  };

  repo.history.forEach((step, i) => {
    if ('commit' in step) {
      const files = new Map<string, string | null>(
        Object.entries(step.files ?? { HISTORY: `${commitCount + 1}\n${step.commit}\n` }),
      );
      writeCommit(i, step.commit, files, step.author, step.committer, step.date, null);
    } else if ('tag' in step) {
      assertRefName(`refs/tags/${step.tag}`, () => bad(i, `invalid tag name "${step.tag}"`));
      if (tagMarks.has(step.tag)) throw bad(i, `tag "${step.tag}" already exists`);
      const target = step.on === undefined ? branchMarks.get(current) : resolve(i, step.on);
      if (target === undefined) throw bad(i, `nothing to tag: branch "${current}" has no commits yet`);
      // A tag without its own date is made ten minutes after the latest commit: tagging follows committing.
      const at = step.date ? Date.parse(step.date) : clock + 10 * 60_000;
      mark++;
      if (step.annotated ?? false) {
        // fast-import's `tag` refuses the same tag name twice in one stream (every connector has a v1.0.0), so tag
        // objects are written after the import, when their commits' ids are known; the mark reserves their slot.
        const message = step.message ?? `Release ${step.tag}`;
        annotatedTags.push({
          mark,
          name: step.tag,
          commitMark: target,
          tagger: who(step.tagger, at),
          message,
        });
      }
      tagMarks.set(step.tag, {
        mark: step.annotated ? mark : target,
        commitMark: target,
        annotated: step.annotated ?? false,
        date: new Date(at).toISOString(),
      });
    } else if ('branch' in step) {
      assertRefName(`refs/heads/${step.branch}`, () => bad(i, `invalid branch name "${step.branch}"`));
      if (branchMarks.has(step.branch)) throw bad(i, `branch "${step.branch}" already exists`);
      const from = step.from === undefined ? branchMarks.get(current) : resolve(i, step.from);
      if (from === undefined) throw bad(i, `cannot branch from "${current}": it has no commits yet`);
      const fromFiles = step.from !== undefined && branchFiles.has(step.from) ? step.from : current;
      branchMarks.set(step.branch, from);
      branchFiles.set(step.branch, new Map(branchFiles.get(fromFiles) ?? []));
      branchBase.set(step.branch, new Map(branchFiles.get(fromFiles) ?? []));
      current = step.branch;
    } else if ('checkout' in step) {
      if (!branchMarks.has(step.checkout) && step.checkout !== defaultBranch) {
        throw bad(i, `branch "${step.checkout}" does not exist`);
      }
      current = step.checkout;
    } else {
      const theirs = branchMarks.get(step.merge);
      if (theirs === undefined) throw bad(i, `cannot merge "${step.merge}": no such branch`);
      if (step.merge === current) throw bad(i, `cannot merge "${step.merge}" into itself`);
      // The merge result takes their version of every file they have, as a clean merge would.
      const ours = branchFiles.get(current) ?? new Map<string, string>();
      const changes = new Map<string, string | null>();
      const theirFiles = branchFiles.get(step.merge) ?? new Map<string, string>();
      for (const [path, content] of theirFiles) {
        if (ours.get(path) !== content) changes.set(path, content);
      }
      // …and drops what they deleted since they branched off.
      for (const path of branchBase.get(step.merge)?.keys() ?? []) {
        if (!theirFiles.has(path) && ours.has(path)) changes.set(path, null);
      }
      const message = step.message ?? `Merge branch '${step.merge}' into ${current}`;
      writeCommit(i, message, changes, step.author, undefined, step.date, theirs);
    }
  });

  for (const release of repo.releases ?? []) {
    if (!tagMarks.has(release.tag) && !release.draft) {
      throw bad(-1, `release "${release.tag}" names a tag that the history does not create`);
    }
  }
  return {
    repo,
    owner,
    stream: out.length > 0 ? `${out.join('\n')}\n` : '',
    lastMark: mark,
    branchMarks,
    tagMarks,
    annotatedTags,
    commitCount,
    firstDate: new Date(firstDate ?? clock).toISOString(),
    lastDate: new Date(clock).toISOString(),
  };
}

async function writeRepo(path: string, plan: RepoPlan, store: string, marks: Map<number, string>): Promise<SeededRepo> {
  const { repo, owner } = plan;
  const defaultBranch = repo.defaultBranch ?? 'main';
  const oid = (m: number) => {
    const found = marks.get(m);
    if (!found)
      throw new CutterError('CUTTER_INTERNAL', `fast-import did not report mark :${m} for ${owner}/${repo.name}`);
    return found;
  };
  const heads: Record<string, string> = {};
  for (const [branch, m] of plan.branchMarks) heads[branch] = oid(m);
  const tags: Record<string, SeededTag> = {};
  for (const [tag, t] of plan.tagMarks)
    tags[tag] = { oid: oid(t.mark), commitOid: oid(t.commitMark), annotated: t.annotated };
  // The layout `git init --bare --template=` makes (see gitrepository-layout), written directly to save a spawn.
  await mkdir(`${path}/objects/info`, { recursive: true });
  await Promise.all([
    mkdir(`${path}/objects/pack`),
    mkdir(`${path}/refs/heads`, { recursive: true }),
    mkdir(`${path}/refs/tags`, { recursive: true }),
    writeFile(`${path}/HEAD`, `ref: refs/heads/${defaultBranch}\n`),
    writeFile(`${path}/config`, '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n'),
    writeFile(
      `${path}/packed-refs`,
      packedRefs([
        ...Object.entries(heads).map(([branch, oid]) => ({ ref: `refs/heads/${branch}`, oid })),
        ...Object.entries(tags).map(([tag, t]) => ({
          ref: `refs/tags/${tag}`,
          oid: t.oid,
          peeled: t.annotated ? t.commitOid : undefined,
        })),
      ]),
    ),
    ...(plan.commitCount > 0
      ? [writeFile(`${path}/objects/info/alternates`, `${relative(`${path}/objects`, `${store}/objects`)}\n`)]
      : []),
    ...(repo.description !== undefined ? [writeFile(`${path}/description`, `${repo.description}\n`)] : []),
  ]);
  const id = repoId(owner, repo.name);
  const seeded: SeededRepo = {
    id,
    node_id: Buffer.from(`010:Repository${id}`).toString('base64'),
    owner,
    name: repo.name,
    full_name: `${owner}/${repo.name}`,
    private: repo.private ?? false,
    archived: repo.archived ?? false,
    topics: repo.topics ?? [],
    default_branch: defaultBranch,
    description: repo.description ?? null,
    created_at: isoSeconds(plan.firstDate),
    updated_at: isoSeconds(plan.lastDate),
    pushed_at: isoSeconds(plan.lastDate),
    path,
    heads,
    tags,
    commitCount: plan.commitCount,
    releases: (repo.releases ?? []).map((r, n) => {
      const tagDate = plan.tagMarks.get(r.tag)?.date ?? plan.lastDate;
      return {
        id: id * 100 + n + 1,
        tag_name: r.tag,
        name: r.name ?? r.tag,
        body: r.body ?? null,
        draft: r.draft ?? false,
        prerelease: r.prerelease ?? false,
        target_commitish: defaultBranch,
        created_at: isoSeconds(tagDate),
        published_at: r.draft ? null : isoSeconds(tagDate),
      };
    }),
    skipped: false,
  };
  await writeFile(`${path}/${METADATA_FILE}`, JSON.stringify({ ...seeded, skipped: undefined }, null, 1));
  return seeded;
}

interface PackedRef {
  ref: string;
  oid: string;
  /** The commit an annotated tag points at. */
  peeled?: string | undefined;
}

/** A `packed-refs` file: sorted by ref name as git requires, annotated tags followed by their peeled commit. */
function packedRefs(refs: PackedRef[]): string {
  const sorted = [...refs].sort((a, b) => Buffer.compare(Buffer.from(a.ref), Buffer.from(b.ref)));
  const lines = sorted.map((r) => `${r.oid} ${r.ref}\n${r.peeled ? `^${r.peeled}\n` : ''}`);
  return `# pack-refs with: peeled fully-peeled sorted \n${lines.join('')}`;
}

/** Annotated tag objects for every repo with one `git hash-object`, and one `git update-ref` to keep them alive. */
async function writeTagObjects(store: string, tags: AnnotatedTagPlan[], oids: Map<number, string>): Promise<void> {
  if (tags.length === 0) return;
  const dir = `${store}/seed-tags`;
  await mkdir(dir);
  const paths: string[] = [];
  for (let i = 0; i < tags.length; i += 64) {
    await Promise.all(
      tags.slice(i, i + 64).map((t, k) => {
        const commit = oids.get(t.commitMark);
        if (!commit) throw new CutterError('CUTTER_INTERNAL', `fast-import did not report mark :${t.commitMark}`);
        const message = t.message.endsWith('\n') ? t.message : `${t.message}\n`;
        const path = `${dir}/${i + k}`;
        paths[i + k] = path;
        return writeFile(path, `object ${commit}\ntype commit\ntag ${t.name}\ntagger ${t.tagger}\n\n${message}`);
      }),
    );
  }
  const out = await runGit(['hash-object', '-t', 'tag', '-w', '--stdin-paths'], store, `${paths.join('\n')}\n`);
  const written = out.trim().split('\n');
  for (const [i, t] of tags.entries()) oids.set(t.mark, written[i]!);
  await rm(dir, { recursive: true, force: true });
}

function runGit(args: string[], cwd: string, stdin?: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    // An inherited GIT_DIR (say, from a git hook running the tests) must never redirect a seed into another repo.
    const { GIT_DIR: _inherited, ...env } = process.env;
    const child = spawn('git', args, {
      cwd,
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: args[0] === 'init' ? env : { ...env, GIT_DIR: cwd },
    });
    let stderr = '';
    const stdout: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString();
    });
    child.on('error', (cause) =>
      reject(
        new CutterError('CUTTER_GIT_FAILED', `could not run git ${args[0]}`, { cause, hint: 'is git installed?' }),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolvePromise(Buffer.concat(stdout).toString());
      else
        reject(
          new CutterError('CUTTER_GIT_FAILED', `git ${args[0]} failed (exit ${code}): ${stderr.trim().slice(0, 500)}`),
        );
    });
    if (stdin !== undefined) {
      child.stdin?.on('error', () => {}); // the close handler reports the real failure
      child.stdin?.end(stdin);
    }
  });
}

function parseMarks(text: string): Map<number, string> {
  const marks = new Map<number, string>();
  for (const line of text.split('\n')) {
    const m = /^:(\d+) ([0-9a-f]{40,64})$/.exec(line);
    if (m) marks.set(Number(m[1]), m[2]!);
  }
  return marks;
}

/** fast-import `data` with an exact byte count, so messages may hold any text. */
function data(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}`;
}

/** Names and emails go into `Name <email>` lines; angle brackets and newlines would corrupt the stream. */
function clean(s: string): string {
  return s.replace(/[<>\n\r]/g, '');
}

function isSafePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.endsWith('/') || /[\x00-\x1f"\\]/.test(path)) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..' && part !== '.git');
}

/** The rules of `git check-ref-format`, checked before the stream is built. */
export function isValidRefName(ref: string): boolean {
  if (ref.length === 0 || ref.length > 255) return false;
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref)) return false;
  if (ref.includes('..') || ref.includes('@{') || ref === '@' || ref.includes('//')) return false;
  if (ref.startsWith('/') || ref.endsWith('/') || ref.endsWith('.')) return false;
  return ref.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

function assertRefName(ref: string, error: () => CutterError): void {
  if (!isValidRefName(ref)) throw error();
}

/** A stable numeric id per repository, so seeded ids are the same on every machine and run. */
function repoId(owner: string, name: string): number {
  const digest = createHash('sha256').update(`${owner}/${name}`).digest();
  return 100_000_000 + (digest.readUInt32BE(0) % 800_000_000);
}

function isoSeconds(iso: string): string {
  return `${iso.slice(0, 19)}Z`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
