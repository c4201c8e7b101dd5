// Streams the paths each commit of a range touched (`git log --name-only -z`), for monorepo path filters.
import { streamGitRecords } from './log-stream.js';
import { NulFieldSplitter } from './nul-field-splitter.js';

export interface CommitFiles {
  hash: string;
  /** Paths relative to the repository root; a rename lists both the old and the new path. */
  files: string[];
}

export interface ChangedFilesOptions {
  /** Follow only the first parent and list a merge's changes against it (the mainline view). */
  firstParent?: boolean;
}

/**
 * A record is `\0<hash>\0`, then `\n` and each path ended by NUL. The leading NUL makes an empty field, and
 * paths are never empty, so an empty field always starts a commit: no path can be mistaken for a hash.
 */
const FORMAT = '%x00%H';

/** Fed chunks of `git log -z --name-only --format=%x00%H` of any size, emits each commit once it is complete. */
export class ChangedFilesParser {
  private readonly splitter = new NulFieldSplitter();
  private current: CommitFiles | null = null;
  /** True right after the empty field: the next field is the hash. */
  private expectHash = false;
  private done: CommitFiles[] = [];
  private readonly onField = (field: string): void => this.take(field, this.done);

  push(chunk: Buffer): CommitFiles[] {
    this.splitter.push(chunk, this.onField);
    const done = this.done;
    this.done = [];
    return done;
  }

  /** The last commit, which only the end of the output completes. */
  end(): CommitFiles[] {
    const last = this.current;
    this.current = null;
    return last ? [last] : [];
  }

  private take(field: string, done: CommitFiles[]): void {
    if (field === '') {
      if (this.current) done.push(this.current);
      this.current = null;
      this.expectHash = true;
      return;
    }
    if (this.expectHash) {
      this.current = { hash: field, files: [] };
      this.expectHash = false;
      return;
    }
    // The first path of a commit follows the newline git prints after the format.
    const path = this.current && this.current.files.length === 0 && field.startsWith('\n') ? field.slice(1) : field;
    this.current?.files.push(path);
  }
}

/**
 * The changed paths of every commit in `revisions` (e.g. `['v1.2.0..HEAD']`), newest first, in batches, without
 * holding the whole output. Merges list files only with `firstParent` (their changes against the mainline).
 */
export async function* streamChangedFiles(
  cwd: string,
  revisions: readonly string[],
  opts: ChangedFilesOptions = {},
): AsyncGenerator<CommitFiles[], void, undefined> {
  // -z prints paths raw (no quoting); --no-renames lists a move as both paths, so it counts for both packages.
  const args = ['-c', 'log.showSignature=false', 'log', '-z', '--name-only', '--no-renames', `--format=${FORMAT}`];
  if (opts.firstParent) args.push('--first-parent', '--diff-merges=first-parent');
  args.push(...revisions, '--');
  yield* streamGitRecords(cwd, args, new ChangedFilesParser());
}

/** All of a range's changed paths by commit hash (for ranges the caller knows are of release size). */
export async function changedFilesByCommit(
  cwd: string,
  revisions: readonly string[],
  opts: ChangedFilesOptions = {},
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for await (const batch of streamChangedFiles(cwd, revisions, opts)) {
    for (const c of batch) out.set(c.hash, c.files);
  }
  return out;
}
