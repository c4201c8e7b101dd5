// `cutter rollout` and `cutter rollback`: roll a connector's image out (or back) through the durable build flow.
import type { Command } from 'commander';
import { CutterError } from '../../core/errors.js';
import type { BuildRequest, BuildTaskData } from '../../steps/rollout-data.js';
import type { TaskRecord } from '../../store/types.js';
import { writeOut } from '../write-out.js';

interface BuildOptions {
  connector?: string;
  image?: string;
  dryRun?: boolean;
  json?: boolean;
  cwd: string;
  repo?: string;
  apiUrl?: string;
  db?: string;
}

const COMMON_HELP = `
The driver (infra API or GitOps) comes from the deploy section of .cutter.yml in --cwd, or, with --repo, from
that repository's .cutter.yml on GitHub. Credentials are read from the environment variables the config names.
Every roll-out is a task in the store (--db, default CUTTER_DB, else .cutter/cutter.db) and is recorded in the
roll-out history that rollbacks, the dashboard and the metrics read; use the store \`cutter serve\` uses.`;

export function registerRollout(program: Command): void {
  withCommon(
    program
      .command('rollout')
      .description("Roll a connector's image out: update it, confirm it, tell the team")
      .option('--connector <id>', 'the connector to update, e.g. connector-x')
      .option('--image <ref>', 'the image to run, e.g. ghcr.io/acme/connector-x:1.4.2')
      .addHelpText(
        'after',
        `
Examples:
  $ cutter rollout --connector connector-x --image ghcr.io/acme/connector-x:1.4.2 --dry-run
  $ cutter rollout --connector connector-x --image ghcr.io/acme/connector-x:1.4.2
  $ cutter rollout --repo acme/connector-x --connector connector-x --image ghcr.io/acme/connector-x:1.4.2

Rolling out the image that already runs changes nothing.
${COMMON_HELP}`,
      ),
  ).action(async (opts: BuildOptions) => {
    if (!opts.image) throw usage('--image is required', '--image ghcr.io/acme/connector-x:1.4.2');
    await runBuildCommand(opts, { image: opts.image });
  });

  withCommon(
    program
      .command('rollback')
      .description('Re-deploy the previously released image of a connector (fix-forward; tags are never touched)')
      .option('--connector <id>', 'the connector to roll back, e.g. connector-x')
      .addHelpText(
        'after',
        `
Examples:
  $ cutter rollback --connector connector-x --dry-run    which image it would go back to, and why
  $ cutter rollback --connector connector-x

The target is the release rolled out before the one that runs now (rolling back twice walks back two
releases). The rollback is recorded and counts in the change failure rate.
${COMMON_HELP}`,
      ),
  ).action(async (opts: BuildOptions) => {
    await runBuildCommand(opts, { rollback: true });
  });
}

function withCommon(command: Command): Command {
  return command
    .option('-n, --dry-run', 'read what runs and say what would change, without changing anything')
    .option('--json', 'print the finished task as one JSON object')
    .option('-C, --cwd <dir>', 'repository whose .cutter.yml names the driver', process.cwd())
    .option('--repo <owner/name>', "read the driver from this GitHub repository's .cutter.yml instead")
    .option('--api-url <url>', 'GitHub API root for --repo (default GITHUB_API_URL, else api.github.com)')
    .option('--db <path>', 'task store (default CUTTER_DB, else .cutter/cutter.db)');
}

function usage(message: string, hint: string): CutterError {
  return new CutterError('CUTTER_BAD_INPUT', message, { hint });
}

async function runBuildCommand(opts: BuildOptions, what: Pick<BuildRequest, 'image' | 'rollback'>): Promise<void> {
  if (!opts.connector) throw usage('--connector is required', '--connector connector-x');
  const [{ mkdir }, path, { openStore }, { parseBuildRequest }, { loadConfig }, { parseDeploySection }] =
    await Promise.all([
      import('node:fs/promises'),
      import('node:path'),
      import('../../store/index.js'),
      import('../../steps/rollout-data.js'),
      import('../../config/load-config.js'),
      import('../../deploy/deploy-config.js'),
    ]);
  const build = parseBuildRequest({
    type: 'connector',
    connectorId: opts.connector,
    ...what,
    ...(opts.repo ? { repo: opts.repo } : {}),
    trigger: what.rollback ? 'cutter rollback' : 'cutter rollout',
  });
  const data: BuildTaskData = { build, ...(opts.dryRun ? { dryRun: true } : {}) };
  if (!opts.repo) {
    const loaded = await loadConfig(opts.cwd);
    const deploy = parseDeploySection(loaded.config.deploy, loaded.source ?? '.cutter.yml');
    if (!deploy) {
      throw new CutterError(
        'CUTTER_CONFIG_NOT_FOUND',
        `${loaded.source ?? path.join(opts.cwd, '.cutter.yml')} has no deploy section`,
        { hint: "run in the connector's repository (-C DIR), or pass --repo OWNER/NAME" },
      );
    }
    data.deploy = {
      driver: deploy.driver as never,
      notify: loaded.config.notify as never,
      source: loaded.source as string,
      tagFormat: loaded.config.tagFormat,
    };
  }
  const env = process.env;
  const needsGitHub = Boolean(opts.repo) || data.deploy?.driver['type'] === 'gitops';
  const github =
    needsGitHub || env['GITHUB_TOKEN'] || env['CUTTER_GITHUB_TOKEN']
      ? await (await import('../../github/client.js')).createGitHubClient({
          ...(opts.apiUrl ? { baseUrl: opts.apiUrl } : {}),
        })
      : undefined;
  const dbPath = opts.db ?? env['CUTTER_DB'] ?? path.join('.cutter', 'cutter.db');
  if (!dbPath.includes('://') && !dbPath.startsWith('sqlite:') && dbPath !== ':memory:') {
    await mkdir(path.dirname(path.resolve(dbPath)), { recursive: true });
  }
  const store = await openStore(dbPath);
  try {
    const [{ runBuild }, { kvRolloutHistory }, { kvThreadStore }] = await Promise.all([
      import('../../steps/run-build.js'),
      import('../../deploy/rollout-history.js'),
      import('../../notify/kv-thread-store.js'),
    ]);
    const { task, log } = await runBuild({
      store,
      deps: {
        history: kvRolloutHistory(store),
        threads: kvThreadStore(store),
        env,
        // A command line does not sit and wait for a human to merge; `cutter serve` does.
        waitForMerge: false,
        ...(github ? { github } : {}),
      },
      data,
      onStep: (e) => {
        if (opts.json) return;
        const mark = e.entry.error ? `✗ ${e.entry.error.code}${e.entry.error.transient ? ' (will retry)' : ''}` : '✓';
        process.stderr.write(`${mark} ${e.entry.step} (${Math.round(e.entry.durationMs)} ms)\n`);
      },
    });
    if (opts.json) {
      await writeOut(`${JSON.stringify({ task: task.id, status: task.status, error: task.error, ...task.data })}\n`);
    } else {
      const lines = log.flatMap((e) => e.messages.map((m) => `  ${e.step}: ${m.message}`));
      await writeOut(`${lines.join('\n')}\n${summaryLine(task)}\n`);
    }
    if (task.status === 'failed' && task.error) {
      throw new CutterError(task.error.code as never, task.error.message, {
        hint: `${task.error.hint ? `${task.error.hint}; ` : ''}retry with: cutter tasks retry ${task.id}`,
      });
    }
  } finally {
    await store.close();
  }
}

function summaryLine(task: TaskRecord): string {
  const d = task.data as unknown as BuildTaskData;
  const who = d.build.connectorId;
  if (d.skipped) return `${who}: nothing to do — ${d.skipped.reason}`;
  const r = d.rollout;
  if (!r) return `${who}: ${task.status}${task.error ? ` at ${task.step}` : ''}`;
  const image = d.build.image ?? '';
  switch (r.outcome) {
    case 'unchanged':
      return `${who} already runs ${image}: nothing changed`;
    case 'dry-run':
      return `dry run: ${who} would ${d.build.rollback ? 'roll back' : 'move'} from ${r.previousImage ?? 'an unknown image'} to ${image}`;
    case 'pending':
      return `${who}: pull request open for ${image}${r.url ? ` — ${r.url}` : ''}`;
    case 'updated':
      return `${who} ${d.build.rollback ? 'rolled back' : 'updated'} to ${image}${r.previousImage ? ` (was ${r.previousImage})` : ''}${r.status ? ` — ${r.status}` : ''}${r.healthy ? ', healthy' : ''}`;
  }
}
