// `cutter fleet`: release every matching repository of an org in one durable, paced run (or resume one).

import type { Command } from 'commander';
import { CutterError } from '../../core/errors.js';

export interface FleetCommandOptions {
  org?: string;
  pattern?: string;
  topic?: string;
  dryRun?: boolean;
  json?: boolean;
  resume?: string;
  apiUrl?: string;
  concurrency: string;
  db: string;
  neverReleased: string;
  tagFormat: string;
  writesPerMinute: string;
  writesPerHour: string;
  timeScale: string;
}

function positive(value: string, what: string, integer = true): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new CutterError(
      'CUTTER_BAD_INPUT',
      `${what} must be a positive ${integer ? 'whole ' : ''}number, got "${value}"`,
    );
  }
  return n;
}

/** Run (or resume) a fleet release with this process's options; returns the exit code. */
export async function fleetCommand(
  o: FleetCommandOptions,
  out = process.stdout,
  err = process.stderr,
): Promise<number> {
  if (!o.org && !o.resume) {
    throw new CutterError('CUTTER_BAD_INPUT', 'cutter fleet needs --org (or --resume RUN_ID)', {
      hint: "e.g. cutter fleet --org acme --pattern 'connector-*' --dry-run",
    });
  }
  if (o.neverReleased !== 'release' && o.neverReleased !== 'skip') {
    throw new CutterError('CUTTER_BAD_INPUT', `--never-released must be release or skip, got "${o.neverReleased}"`);
  }
  const concurrency = positive(o.concurrency, '--concurrency');
  const writesPerMinute = positive(o.writesPerMinute, '--writes-per-minute');
  const writesPerHour = positive(o.writesPerHour, '--writes-per-hour');
  const timeScale = positive(o.timeScale, '--time-scale', false);
  const { parsePatternList } = await import('../../fleet/repo-filter.js');
  const patterns = o.pattern ? parsePatternList(o.pattern) : [];
  const topics = o.topic ? parsePatternList(o.topic) : [];
  const { openCliStore } = await import('../cli-store.js');
  const store = await openCliStore(o.db);
  try {
    const { BudgetPacer } = await import('../../github/budget-pacer.js');
    const { createGitHubClient } = await import('../../github/client.js');
    const { runFleet } = await import('../../fleet/run-fleet.js');
    const { fleetRequest } = await import('../../steps/fleet-flow.js');
    const { progressLine, summaryCounts, summaryTable } = await import('../../fleet/fleet-report.js');
    const pacer = new BudgetPacer({ store, writesPerMinute, writesPerHour, timeScale });
    const github = await createGitHubClient({ pacer, ...(o.apiUrl ? { baseUrl: o.apiUrl } : {}) });
    const request = o.org
      ? fleetRequest({
          org: o.org,
          patterns,
          topics,
          dryRun: o.dryRun ?? false,
          neverReleased: o.neverReleased,
          tagFormat: o.tagFormat,
          trigger: `cutter fleet by ${process.env['USER'] ?? 'someone'}`,
        })
      : undefined;
    const slackUrl = process.env['CUTTER_SLACK_WEBHOOK_URL'];
    const { createSlackWebhookNotifier } = await import('../../notify/slack-webhook.js');
    const tty = Boolean(err.isTTY);
    let lastLine = '';
    let lastPlain = 0;
    const result = await runFleet({
      store,
      ...(o.resume ? { resumeId: o.resume } : {}),
      ...(request ? { request } : {}),
      concurrency,
      limits: pacer.limits,
      deps: {
        github,
        // The run sends one summary; its release tasks stay quiet (a per-repo message per connector is noise).
        notifiers: () => [],
        audit: (entry) => store.appendAudit(entry),
        ...(slackUrl ? { summaryNotifiers: () => [createSlackWebhookNotifier({ url: slackUrl })] } : {}),
      },
      onProgress: (p) => {
        if (o.json) return;
        const line = progressLine(p);
        if (line === lastLine) return;
        lastLine = line;
        if (tty) err.write(`\r\x1b[2K${line}`);
        else if (Date.now() - lastPlain > 1000 || p.phase === 'done') {
          lastPlain = Date.now();
          err.write(`${line}\n`);
        }
      },
      onPlan: (task) => {
        if (o.json) return;
        if (tty) err.write('\n');
        err.write(`fleet run ${task.id} (resume with: cutter fleet --resume ${task.id} --db ${o.db})\n`);
      },
    });
    if (tty && !o.json) err.write('\n');
    const summary = result.summary;
    if (o.json) {
      out.write(`${JSON.stringify({ runId: result.task.id, status: result.task.status, summary }, null, 2)}\n`);
    } else if (summary) {
      out.write(
        `${summaryTable(summary.rows)}\n\n${summaryCounts(summary, result.task.data['fleet'] ? Boolean((result.task.data['fleet'] as { dryRun?: boolean }).dryRun) : false)}\n`,
      );
      const failed = summary.rows.filter((r) => r.outcome === 'failed' && r.taskId);
      if (failed.length)
        out.write(
          `retry a failed repository with: cutter tasks retry <task> --db ${o.db}  (${failed.map((f) => `${f.repo}: ${f.taskId}`).join(', ')})\n`,
        );
    } else {
      out.write(`fleet run ${result.task.id} is ${result.task.status}\n`);
    }
    if (result.task.status === 'failed') return 1;
    return summary && summary.failed > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

export function registerFleet(program: Command): void {
  program
    .command('fleet')
    .description('Release every repository of an org that matches a pattern (connector-*) in one durable, paced run')
    .option('--org <login>', 'GitHub organization')
    .option('--pattern <globs>', "comma-separated globs, '!' excludes (default connector-*)")
    .option('--topic <topics>', 'select repositories with any of these topics (with --pattern: both must hold)')
    .option('--dry-run', 'compute the plan (latest tag, commits, bump, next version) and write nothing')
    .option('--json', 'print the run as JSON on stdout (no progress line)')
    .option('--resume <runId>', 'continue an interrupted run; creates nothing twice')
    .option('--api-url <url>', 'GitHub API root (default GITHUB_API_URL or https://api.github.com)')
    .option('--concurrency <n>', 'release tasks at once', '8')
    .option(
      '--db <file>',
      'SQLite store (runs, tasks, the write budget); CUTTER_DATABASE_URL=postgres://… instead',
      '.cutter/cutter.db',
    )
    .option('--never-released <mode>', 'repositories without a release tag: release (first release) or skip', 'release')
    .option('--tag-format <template>', 'tag template used to find the latest tag', 'v{version}')
    .option('--writes-per-minute <n>', "GitHub's secondary limit on content-creating requests", '80')
    .option('--writes-per-hour <n>', 'the hourly one', '500')
    .option('--time-scale <x>', 'simulated time speed of a sandbox (its --clock-scale)', '1')
    .addHelpText(
      'after',
      `
Environment: GITHUB_TOKEN (or CUTTER_GITHUB_TOKEN); CUTTER_SLACK_WEBHOOK_URL for the one summary message.

Examples:
  $ cutter fleet --org acme --dry-run                           the plan as a table, nothing written
  $ cutter fleet --org acme --pattern 'connector-*,!connector-legacy-*'
  $ cutter fleet --resume 5f0c…                                  continue a run that was interrupted`,
    )
    .action(async (o: FleetCommandOptions) => {
      process.exitCode = await fleetCommand(o);
    });
}
