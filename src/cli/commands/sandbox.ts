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
    logger: { info: (m) => console.error(m), warn: (m) => console.error(m) },
  });
  const started = Date.now();
  // A restarted sandbox keeps the repos already under its root.
  // acme is the hand-written demo org (every fleet state); other orgs, or an explicit size, are generated.
  const spec =
    o.org === 'acme' && o.connectors === undefined
      ? ACME_ORG
      : generateOrg({ org: o.org, connectors, others: 3, seed });
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
    .addHelpText(
      'after',
      `
Examples:
  $ cutter sandbox                              a fresh sandbox with the acme demo org (25 connectors)
  $ cutter sandbox --root .sandbox --port 4010  keep state in .sandbox (restarts keep it)
  $ cutter sandbox --connectors 1000 --clock-scale 60`,
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
