// `cutter release`: show (--dry-run) or cut the next release of a local repository, or of a remote one (--repo).
import type { Command } from 'commander';
import { CutterError } from '../../core/errors.js';
import { repoWebUrl } from '../../core/github-web-url.js';
import type { TaskRecord } from '../../store/types.js';
import { earlyHeadLogOption } from '../early-head-log.js';
import type { LocalReleasePlan } from '../local-release-plan.js';
import { writeJson, writeOut } from '../write-out.js';

interface ReleaseOptions {
  dryRun?: boolean;
  json?: boolean;
  cwd: string;
  push?: string | boolean;
  date?: string;
  remote?: string;
  repo?: string;
  apiUrl?: string;
  db?: string;
  overrideFreeze?: string;
}

export function registerRelease(program: Command): void {
  program
    .command('release')
    .description('Decide the next version from the commits since the last release tag, then tag it')
    .option(
      '-n, --dry-run',
      'only show the last tag, commits per type, the bump and why, the next version and the notes',
    )
    .option('--json', 'print the result as one JSON object')
    .option('-C, --cwd <dir>', 'repository to release', process.cwd())
    .option('--push [remote]', 'push the new tag to this remote (default origin)')
    .option('--date <YYYY-MM-DD>', 'release date used in the notes (default: today, UTC)')
    .option('--repo <owner/name>', 'release a GitHub repository through the API instead of a local clone')
    .option('--api-url <url>', 'GitHub API root for --repo (default GITHUB_API_URL, else api.github.com)')
    .option('--db <path>', 'task store for --repo (default CUTTER_DB, else .cutter/cutter.db)')
    .option('--override-freeze <reason>', 'with --repo: release through a freeze (audited with who, why and when)')
    .addHelpText(
      'after',
      `
Examples:
  $ cutter release --dry-run                     explain what the next release would be
  $ cutter release --dry-run --json | jq .nextVersion
  $ cutter release --cwd ../connector-x          create the annotated tag locally
  $ cutter release --push                        create the tag and push it to origin
  $ cutter release --push upstream               … or to another remote
  $ cutter release --repo acme/connector-x --dry-run   plan a release of a GitHub repository
  $ cutter release --repo acme/connector-x        tag, publish the release and notify, as the webhook would
  $ cutter release --repo acme/connector-x --override-freeze "fix for CVE-2026-1234"

With --repo, a freeze (the dashboard switch in the same --db, or a freeze window of .cutter.yml) and pending
required checks make the release wait before the tag; it goes on by itself when they clear.

Without --dry-run an existing tag on the same commit is adopted; a tag on another commit is a conflict
(CUTTER_TAG_CONFLICT) and is never moved.`,
    )
    .action(async (opts: ReleaseOptions) => {
      if (opts.repo !== undefined) {
        await releaseRemote(opts);
        return;
      }
      const [{ planLocalRelease }, { planToJson, planToText }] = await Promise.all([
        import('../local-release-plan.js'),
        import('../plan-output.js'),
      ]);
      const remote = typeof opts.push === 'string' ? opts.push : 'origin';
      const plan = await planLocalRelease({
        cwd: opts.cwd,
        ...(opts.date ? { date: checkDate(opts.date) } : {}),
        ...earlyHeadLogOption(opts.cwd),
      });
      if (opts.dryRun) {
        if (opts.json) await writeJson({ dryRun: true, ...planToJson(plan) });
        else await writeOut(planToText(plan));
        return;
      }
      if (plan.nextVersion === null || plan.nextTag === null) {
        if (opts.json) await writeJson({ dryRun: false, ...planToJson(plan), tag: null });
        else await writeOut(`${planToText(plan)}Nothing to release: no tag created.\n`);
        return;
      }
      if (!plan.branchReleases) {
        throw new CutterError('CUTTER_REFUSED', `branch ${plan.branch} is not a release branch`, {
          hint: 'release from a configured branch (branches: in .cutter.yml) or use --dry-run',
        });
      }
      const { createAnnotatedTag, pushTag } = await import('../../git/tags.js');
      const created = await createAnnotatedTag(plan.root, plan.nextTag, plan.head, plan.notes ?? plan.nextTag);
      let pushed: string | null = null;
      if (opts.push) {
        await pushTag(plan.root, remote, plan.nextTag);
        pushed = remote;
      }
      if (opts.json) {
        await writeJson({ dryRun: false, ...planToJson(plan), tag: { ...created, pushed } });
        return;
      }
      const verb = created.adopted ? 'Adopted existing tag' : 'Created tag';
      await writeOut(
        `${planToText(plan)}\n${verb} ${created.name} at ${created.commit.slice(0, 7)}${pushed ? `, pushed to ${pushed}` : ''}.\n`,
      );
    });
}

export function checkDate(date: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
    throw new CutterError('CUTTER_BAD_INPUT', `--date ${JSON.stringify(date)} is not a YYYY-MM-DD day`, {
      hint: 'pass e.g. --date 2026-11-25',
    });
  }
  return date;
}

function parseRepo(value: string): { owner: string; name: string } {
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/.exec(value.trim());
  if (!m || m[2] === '.' || m[2] === '..') {
    throw new CutterError('CUTTER_BAD_INPUT', `--repo ${JSON.stringify(value)} is not owner/name`, {
      hint: 'pass e.g. --repo acme/connector-x',
    });
  }
  return { owner: m[1]!, name: m[2]! };
}

/** The release flow against GitHub (or the sandbox) through the durable engine, printing each step as it lands. */
async function releaseRemote(opts: ReleaseOptions): Promise<void> {
  if (opts.push) {
    throw new CutterError('CUTTER_BAD_INPUT', '--push is for local repositories; --repo tags through the API', {
      hint: 'drop --push',
    });
  }
  const reason = opts.overrideFreeze?.trim();
  if (opts.overrideFreeze !== undefined && !reason) {
    throw new CutterError('CUTTER_BAD_INPUT', '--override-freeze needs a reason', {
      hint: '--override-freeze "security fix for CVE-…"',
    });
  }
  const repo = parseRepo(opts.repo ?? '');
  const [{ mkdir }, path, { userInfo }, { openStore }, { createGitHubClient }, { runRelease }, { readFreeze }] =
    await Promise.all([
      import('node:fs/promises'),
      import('node:path'),
      import('node:os'),
      import('../../store/index.js'),
      import('../../github/client.js'),
      import('../../steps/run-release.js'),
      import('../../server/freeze-state.js'),
    ]);
  const dbPath = opts.db ?? process.env['CUTTER_DB'] ?? path.join('.cutter', 'cutter.db');
  if (!dbPath.includes('://') && !dbPath.startsWith('sqlite:') && dbPath !== ':memory:') {
    await mkdir(path.dirname(path.resolve(dbPath)), { recursive: true });
  }
  const github = await createGitHubClient({ ...(opts.apiUrl ? { baseUrl: opts.apiUrl } : {}) });
  const store = await openStore(dbPath);
  try {
    const override = reason
      ? { by: `${process.env['USER'] ?? userInfo().username} (cli)`, reason, at: new Date().toISOString() }
      : null;
    if (override) {
      await store.appendAudit({
        actor: override.by,
        action: 'freeze.override',
        target: `${repo.owner}/${repo.name}`,
        details: { reason: override.reason },
        at: override.at,
      });
    }
    const { task } = await runRelease({
      store,
      // The verify step (releases with a supply section) records its checklist in this store's audit log.
      deps: { github, readFreezeSwitch: () => readFreeze(store), audit: (entry) => store.appendAudit(entry) },
      data: {
        repo,
        release: {},
        trigger: 'cutter release',
        ...(opts.dryRun ? { dryRun: true } : {}),
        ...(override ? { overrideFreeze: override } : {}),
      },
      onStep: (e) => {
        if (opts.json) return;
        if (e.entry.outcome === 'wait') {
          process.stderr.write(`⏸ ${e.entry.step}: ${e.task.waitReason ?? 'waiting'} (re-checked every minute)\n`);
          return;
        }
        const mark = e.entry.error ? `✗ ${e.entry.error.code}${e.entry.error.transient ? ' (will retry)' : ''}` : '✓';
        process.stderr.write(`${mark} ${e.entry.step} (${Math.round(e.entry.durationMs)} ms)\n`);
      },
    });
    await printRemoteResult(task, opts, dbPath);
  } finally {
    await store.close();
  }
}

/** The task as the plan the local dry run prints, so both read the same. */
function taskToPlan(task: TaskRecord, date: string, apiBase: string): LocalReleasePlan {
  const data = task.data as unknown as import('../../steps/release-data.js').ReleaseTaskData;
  const r = data.release ?? {};
  const latest = r.latest?.tag
    ? { tag: r.latest.tag, version: r.latest.version ?? '', commit: r.latest.commit ?? '' }
    : null;
  return {
    root: `${data.repo.owner}/${data.repo.name}`,
    head: r.head ?? '',
    branch: r.branch ?? null,
    branchReleases: true,
    channel: r.channel ?? null,
    repoUrl: repoWebUrl(apiBase, data.repo),
    configSource: data.config?.source ?? null,
    tagFormat: typeof data.config?.['tagFormat'] === 'string' ? data.config['tagFormat'] : 'v{version}',
    lastTag: latest as LocalReleasePlan['lastTag'],
    foreignTags: r.latest?.foreign ?? [],
    commits: r.commits ?? { total: 0, byType: {}, nonConventional: 0, skipped: 0, ignoredAuthors: 0 },
    bump: (r.bump ?? null) as LocalReleasePlan['bump'],
    causes: (r.causes ?? []) as LocalReleasePlan['causes'],
    releaseAs: r.releaseAs ?? null,
    currentVersion: r.latest?.version ?? null,
    nextVersion: r.next ?? null,
    nextTag: r.nextTag ?? null,
    refused: null,
    ignoredReleaseAs: r.ignoredReleaseAs ?? null,
    notes: r.notes ?? null,
    notesUtf8: null,
    date,
    parsedCommits: [],
  };
}

async function printRemoteResult(task: TaskRecord, opts: ReleaseOptions, dbPath: string): Promise<void> {
  const { planToJson, planToText } = await import('../plan-output.js');
  const data = task.data as unknown as import('../../steps/release-data.js').ReleaseTaskData;
  const apiBase = opts.apiUrl ?? process.env['GITHUB_API_URL'] ?? 'https://api.github.com';
  const plan = taskToPlan(task, (task.finishedAt ?? task.updatedAt).slice(0, 10), apiBase);
  const r = data.release ?? {};
  const outcome = {
    task: { id: task.id, status: task.status, store: dbPath },
    skipped: data.skipped ?? null,
    tag: r.tagged ?? null,
    release: r.released ? { ...r.released, adopted: r.published?.adopted ?? false } : null,
    notified: r.notified ?? null,
    error: task.error,
  };
  if (opts.json) {
    await writeOut(`${JSON.stringify({ dryRun: Boolean(opts.dryRun), ...planToJson(plan), ...outcome })}\n`);
  } else {
    const lines = [planToText(plan).trimEnd(), ''];
    if (data.skipped) lines.push(`Skipped:       ${data.skipped.reason}`);
    if (r.tagged)
      lines.push(
        `${r.tagged.adopted ? 'Adopted tag' : 'Created tag'}:   ${r.tagged.tag} at ${r.tagged.sha.slice(0, 7)}`,
      );
    if (r.released)
      lines.push(
        `Release:       ${r.released.url}${r.published?.adopted ? ' (adopted)' : ''}${r.released.draft ? ' (draft)' : ''}`,
      );
    for (const n of r.notified ?? []) lines.push(`Notified:      ${n.channel}: ${n.ok ? 'ok' : (n.error ?? 'failed')}`);
    if (task.status !== 'done')
      lines.push(`Task:          ${task.id} ${task.status} at step ${task.step ?? '?'} (store ${dbPath})`);
    await writeOut(`${lines.join('\n')}\n`);
  }
  if (task.status === 'failed' && task.error) {
    throw new CutterError(task.error.code as never, task.error.message, {
      hint: task.error.hint ?? `fix the cause, then \`cutter tasks retry ${task.id}\``,
      transient: task.error.transient,
    });
  }
}
