// `cutter sandbox`: run the local GitHub sandbox (REST, GraphQL, git over HTTP) with a seeded org until stopped.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { CutterError } from '../../core/errors.js';
import type { Sandbox } from '../../sandbox/server.js';

export interface SandboxCommandOptions {
  root?: string;
  port: string;
  host: string;
  org: string;
  /** Generate this many connectors instead of the hand-written acme org. */
  connectors?: string;
  token: string;
  adminToken: string;
  clockScale: string;
  seed: string;
  /** Other (`service-*`) repositories beside a generated org's connectors (default 3). */
  others?: string;
  /** Secondary limits on content-creating requests (default GitHub's: 80 a minute, 500 an hour). */
  writesPerMinute?: string;
  writesPerHour?: string;
  /** Primary hourly budget per token, REST and GraphQL alike (default GitHub's 5,000). */
  rateLimit?: string;
  /** Check every REST answer against GitHub's OpenAPI description; a violation is a warning line on stderr. */
  validate?: boolean;
}

function int(value: string, what: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new CutterError('CUTTER_BAD_INPUT', `${what} must be a whole number ≥ ${min}, got "${value}"`);
  }
  return n;
}

/** Start the sandbox and seed the org; returns the running sandbox and the lines to print. */
export async function startSandboxCommand(o: SandboxCommandOptions): Promise<{ sandbox: Sandbox; lines: string[] }> {
  const port = int(o.port, '--port', 0);
  const connectors = int(o.connectors ?? '25', '--connectors', 0);
  const seed = int(o.seed, '--seed', 0);
  const clockScale = Number(o.clockScale);
  if (!Number.isFinite(clockScale) || clockScale <= 0)
    throw new CutterError('CUTTER_BAD_INPUT', `--clock-scale must be a positive number, got "${o.clockScale}"`);
  const limits = {
    ...(o.writesPerMinute !== undefined ? { writesPerMinute: int(o.writesPerMinute, '--writes-per-minute', 1) } : {}),
    ...(o.writesPerHour !== undefined ? { writesPerHour: int(o.writesPerHour, '--writes-per-hour', 1) } : {}),
    ...(o.rateLimit !== undefined
      ? { core: int(o.rateLimit, '--rate-limit', 1), graphql: int(o.rateLimit, '--rate-limit', 1) }
      : {}),
  };
  const others = int(o.others ?? '3', '--others', 0);
  const root = path.resolve(o.root ?? (await mkdtemp(path.join(tmpdir(), 'cutter-sandbox-'))));
  const { createSandbox } = await import('../../sandbox/server.js');
  const { seedOrg } = await import('../../sandbox/seed.js');
  const { generateOrg } = await import('../../sandbox/orgs/generated.js');
  const { ACME_ORG } = await import('../../sandbox/orgs/acme.js');
  const sandbox = await createSandbox({
    root,
    tokens: { [o.token]: { orgs: '*', login: 'cutter-bot' } },
    adminToken: o.adminToken,
    clockScale,
    seed,
    limits,
    ...(o.validate ? { validateResponses: true } : {}),
    logger: { info: (m) => console.error(m), warn: (m) => console.error(m) },
  });
  const started = Date.now();
  // A restarted sandbox keeps the repos already under its root.
  // acme is the hand-written demo org (every fleet state); other orgs, or an explicit size, are generated.
  const spec =
    o.org === 'acme' && o.connectors === undefined ? ACME_ORG : generateOrg({ org: o.org, connectors, others, seed });
  const seeded = await seedOrg(root, spec, { onExisting: 'skip' });
  await sandbox.registerRepos(o.org, seeded);
  const seedMs = Date.now() - started;
  const { url } = await sandbox.listen(port, o.host);
  const auth = url.replace('://', `://x-access-token:${o.token}@`);
  const first = seeded[0]?.name ?? 'connector-0';
  const lines = [
    `GitHub sandbox at ${url}  (root ${root})`,
    `  org ${o.org}: ${seeded.length} repositories seeded in ${seedMs} ms`,
    `  token        ${o.token}   (Authorization: token …; git: basic auth, password = token)`,
    `  admin token  ${o.adminToken}   (GET ${url}/_sandbox/counters, POST ${url}/_sandbox/faults)`,
    `  REST         ${url}/orgs/${o.org}/repos`,
    `  GraphQL      ${url}/graphql`,
    `  clone        git clone ${auth}/${o.org}/${first}.git`,
    '  stop with Ctrl-C',
  ];
  return { sandbox, lines };
}

export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('Run a local GitHub sandbox (REST, GraphQL, git over HTTP) backed by real git repositories')
    .option('--root <dir>', 'directory for the bare repos and state (default: a new temporary directory)')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '0')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--org <login>', 'organization to seed', 'acme')
    .option('--connectors <n>', 'generate an org with this many connector-* repositories (default: the acme demo org)')
    .option('--token <token>', 'the API token clients use', 'sandbox-token-acme')
    .option('--admin-token <token>', 'the token for /_sandbox/* (counters, faults)', 'sandbox-admin-token')
    .option('--clock-scale <x>', 'speed of simulated time for rate-limit windows (60: a minute per second)', '1')
    .option('--seed <n>', 'seed for generated repos and injected faults', '1')
    .option('--others <n>', 'other (service-*) repositories in a generated org', '3')
    .option('--writes-per-minute <n>', 'secondary limit on content-creating requests per minute (GitHub: 80)')
    .option('--writes-per-hour <n>', 'secondary limit on content-creating requests per hour (GitHub: 500)')
    .option('--rate-limit <n>', 'primary hourly budget per token, REST and GraphQL (GitHub: 5000)')
    .option('--validate', "check every REST answer against GitHub's OpenAPI description (violations warn on stderr)")
    .addHelpText(
      'after',
      `
Examples:
  $ cutter sandbox                              a fresh sandbox with the acme demo org (25 connectors)
  $ cutter sandbox --root .sandbox --port 4010  keep state in .sandbox (restarts keep it)
  $ cutter sandbox --connectors 1000 --clock-scale 60
  $ cutter sandbox --connectors 1000 --others 0 --clock-scale 10 --writes-per-hour 4800   the fleet benchmark's org`,
    )
    .action(async (o: SandboxCommandOptions) => {
      const { sandbox, lines } = await startSandboxCommand(o);
      for (const line of lines) console.log(line);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await sandbox.close();
    });
}

/** The name the CLI table expects. */
export const registerSandboxCommand = registerSandbox;
