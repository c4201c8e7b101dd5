// `cutter demo`: a local GitHub sandbox with the acme org, the Cutter server wired to its webhooks, and a fleet release.

import type { Command } from 'commander';
import { CutterError } from '../../core/errors.js';

export interface DemoCommandOptions {
  root?: string;
  port: string;
  once?: boolean;
  concurrency: string;
}

const TOKEN = 'sandbox-token-acme';
const SCALE = 60;

/** Run the demo; resolves once the fleet run is summarised and (without --once) the user pressed Ctrl-C. */
export async function demoCommand(o: DemoCommandOptions, out = process.stdout, err = process.stderr): Promise<number> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CutterError('CUTTER_BAD_INPUT', `--port must be a whole number from 0 to 65535, got "${o.port}"`);
  }
  const { mkdir } = await import('node:fs/promises');
  const path = await import('node:path');
  const { randomBytes } = await import('node:crypto');
  const root = path.resolve(o.root ?? path.join('.cutter', 'demo', new Date().toISOString().replace(/[:.]/g, '-')));
  await mkdir(root, { recursive: true });
  const { createSandbox } = await import('../../sandbox/server.js');
  const { seedOrg } = await import('../../sandbox/seed.js');
  const { ACME_ORG } = await import('../../sandbox/orgs/acme.js');
  const sandbox = await createSandbox({
    root: path.join(root, 'github'),
    tokens: { [TOKEN]: { orgs: '*', login: 'cutter-bot' } },
    clockScale: SCALE,
  });
  const closers: Array<() => Promise<void>> = [() => sandbox.close()];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  };
  try {
    sandbox.createOrg('acme');
    const seeded = await seedOrg(path.join(root, 'github'), ACME_ORG, { onExisting: 'skip' });
    await sandbox.registerRepos('acme', seeded);
    const { url: githubUrl } = await sandbox.listen(0);
    out.write(`GitHub sandbox  ${githubUrl}  (org acme: ${seeded.length} repositories, token ${TOKEN})\n\n`);

    const db = path.join(root, 'cutter.db');
    const { SqliteStore } = await import('../../store/sqlite-store.js');
    const { BudgetPacer } = await import('../../github/budget-pacer.js');
    const { createGitHubClient } = await import('../../github/client.js');
    const { runFleet } = await import('../../fleet/run-fleet.js');
    const { fleetRequest } = await import('../../steps/fleet-flow.js');
    const { progressLine, summaryCounts, summaryTable } = await import('../../fleet/fleet-report.js');
    const store = new SqliteStore(db);
    // The sandbox lives a minute per second: the write budget follows its clock.
    const pacer = new BudgetPacer({ store, timeScale: SCALE });
    const github = await createGitHubClient({ baseUrl: githubUrl, token: TOKEN, pacer, env: {} });
    const dryRun = await runFleet({
      store,
      deps: { github, notifiers: () => [] },
      request: fleetRequest({ org: 'acme', dryRun: true, trigger: 'cutter demo (plan)' }),
    });
    out.write(`The plan (dry run, nothing written):\n\n${summaryTable(dryRun.summary?.rows ?? [])}\n\n`);
    // A few connectors sign their releases and pin their images in a real registry when docker-registry is installed.
    const { startInfraEmulator } = await import('../../sandbox/infra-emulator.js');
    const { startDemoSupply } = await import('./demo-supply.js');
    const infra = await startInfraEmulator({ token: 'demo-infra-token' });
    closers.push(() => infra.close());
    const planned = new Map(
      (dryRun.summary?.rows ?? []).flatMap((r) => (r.outcome === 'planned' && r.nextTag ? [[r.repo, r.nextTag]] : [])),
    );
    const supply = await startDemoSupply({ root, githubUrl, token: TOKEN, infra, planned });
    closers.push(() => supply.stop());
    out.write(`${supply.lines.join('\n')}\n\n`);
    let last = '';
    const result = await runFleet({
      store,
      concurrency: Number(o.concurrency) || 8,
      limits: pacer.limits,
      deps: {
        github,
        notifiers: () => [],
        env: { ...process.env, ...supply.env },
        audit: (entry) => store.appendAudit(entry),
      },
      request: fleetRequest({ org: 'acme', trigger: 'cutter demo' }),
      onPlan: (task) => err.write(`fleet run ${task.id}\n`),
      onProgress: (p) => {
        const line = progressLine(p);
        if (line === last) return;
        last = line;
        err.write(`${line}\n`);
      },
    });
    const verified = await demoVerifyLines(store, result.summary?.rows ?? [], supply.repos);
    await store.close();
    const summary = result.summary;
    out.write(`\nThe release (${result.task.status}):\n\n${summary ? summaryTable(summary.rows) : '(no summary)'}\n\n`);
    if (summary) out.write(`${summaryCounts(summary, false)}\n`);
    if (verified.length > 0)
      out.write(`\nThe supply chain (verify, the last step of each release):\n\n${verified.join('\n')}\n`);

    // The server on the same store: the run above is in its task list; sandbox pushes reach it as webhooks.
    const secret = randomBytes(16).toString('hex');
    const apiToken = randomBytes(12).toString('hex');
    const { startServe } = await import('../../server/serve.js');
    const server = await startServe({
      db,
      port,
      env: {
        CUTTER_WEBHOOK_SECRET: secret,
        GITHUB_TOKEN: TOKEN,
        GITHUB_API_URL: githubUrl,
        CUTTER_API_TOKEN: apiToken,
        // The dashboard's fleet view opens on the sandbox org.
        CUTTER_ORG: 'acme',
        // The signing key and the infra API token the supply connectors' configuration names.
        ...supply.env,
      },
    });
    closers.push(() => server.close());
    const admin = await createGitHubClient({ baseUrl: githubUrl, token: TOKEN, env: {} });
    await admin.request('POST /orgs/{org}/hooks', {
      org: 'acme',
      name: 'web',
      config: { url: `${server.url}/webhooks/github`, content_type: 'json', secret },
      // Every event the server acts on: pushes release, merged release PRs publish, PRs get lint, builds roll out.
      events: ['push', 'pull_request', 'registry_package', 'workflow_run'],
      active: true,
    });
    out.write(
      [
        '',
        `Dashboard       ${server.url}/   (log in with the API token below)`,
        `Cutter server   ${server.url}   (GET ${server.url}/api/tasks?kind=fleet, …/api/tasks/${result.task.id})`,
        `API token       ${apiToken}   (dashboard login; API: Authorization: Bearer …)`,
        `Webhooks        acme's org hook → ${server.url}/webhooks/github (push to any acme repo to release it)`,
        `State           ${root}`,
        '',
      ].join('\n'),
    );
    if (o.once) return summary && summary.failed === 0 ? 0 : 1;
    out.write('Ctrl-C to stop\n');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return 0;
  } finally {
    await closeAll();
  }
}

/** One line per supply connector: its release's verify result (or why it failed). */
async function demoVerifyLines(
  store: import('../../store/types.js').Store,
  rows: ReadonlyArray<{ repo: string; taskId?: string }>,
  repos: readonly string[],
): Promise<string[]> {
  const lines: string[] = [];
  for (const repo of repos) {
    const taskId = rows.find((r) => r.repo === repo)?.taskId;
    const task = taskId ? await store.getTask(taskId) : null;
    const release = (
      task?.data as
        | {
            release?: { nextTag?: string; verified?: { ok: boolean; checks: unknown[] }; supply?: { pinned?: string } };
          }
        | undefined
    )?.release;
    if (release?.verified?.ok) {
      lines.push(
        `  ✔ ${repo} ${release.nextTag ?? ''} verified (${release.verified.checks.length} checks), image ${release.supply?.pinned ?? '—'}`,
      );
    } else {
      lines.push(
        `  ✖ ${repo} ${release?.nextTag ?? ''} ${task?.error ? `${task.error.code}: ${task.error.message}` : (task?.status ?? 'not released')}`,
      );
    }
  }
  return lines;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Seed a local GitHub sandbox (org acme), start the Cutter server on it and run a fleet release')
    .option('--root <dir>', 'where the sandbox and the store live (default .cutter/demo/<time>)')
    .option('--port <n>', 'port of the Cutter server (0 picks a free one)', '0')
    .option('--concurrency <n>', 'release tasks at once', '8')
    .option('--once', 'exit after the run instead of serving until Ctrl-C')
    .action(async (o: DemoCommandOptions) => {
      process.exitCode = await demoCommand(o);
    });
}
