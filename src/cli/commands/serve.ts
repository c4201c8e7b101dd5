// `cutter serve`: the webhook server and the workflow engine in one process, until SIGTERM/SIGINT.
import type { Command } from 'commander';
import { CutterError } from '../../core/errors.js';

export interface ServeCommandOptions {
  port: string;
  host: string;
  db: string;
  concurrency: string;
}

function whole(value: string, what: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CutterError('CUTTER_BAD_INPUT', `${what} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Receive GitHub webhooks and run releases durably (resumes unfinished tasks on start)')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '8787')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--db <file>', 'SQLite store (unused with CUTTER_DATABASE_URL)', '.cutter/cutter.db')
    .option('--concurrency <n>', 'releases of different repositories run at once', '4')
    .addHelpText(
      'after',
      `
Environment:
  CUTTER_WEBHOOK_SECRET   secret of the GitHub webhook (required); deliveries with another signature get 401
  GITHUB_TOKEN            token for the GitHub API (or CUTTER_GITHUB_TOKEN); GITHUB_API_URL for GitHub Enterprise
  CUTTER_API_TOKEN        enables POST /api/tasks/:id/retry for "Authorization: Bearer <token>"
  CUTTER_LEASE_MS         lease of a running task, taken over after a crash (default 30000)
  CUTTER_DATABASE_URL     postgres://… instead of --db: several serve processes share it, each running tasks as
                          graphile-worker jobs (one repository at a time across all of them, a killed one's taken over)

Routes:
  POST /webhooks/github   push → release task, stored before the 202; a repeated X-GitHub-Delivery → 200 duplicate
  GET  /healthz           200 when the store answers
  GET  /api/tasks         ?status=failed,queued&kind=release&repo=owner/name&limit=50&cursor=…
  GET  /api/tasks/:id     the task's data and step log (secrets redacted)
  POST /api/tasks/:id/retry

Example:
  $ CUTTER_WEBHOOK_SECRET=… GITHUB_TOKEN=… cutter serve --port 8787 --db /var/lib/cutter/cutter.db`,
    )
    .action(async (opts: ServeCommandOptions) => {
      const port = whole(opts.port, '--port', 0, 65535);
      const concurrency = whole(opts.concurrency, '--concurrency', 1, 64);
      const leaseText = process.env['CUTTER_LEASE_MS'];
      const leaseMs = leaseText ? whole(leaseText, 'CUTTER_LEASE_MS', 50, 3_600_000) : undefined;
      const { startServe } = await import('../../server/serve.js');
      const { stderrLogger } = await import('../../server/server-logger.js');
      const server = await startServe({
        db: opts.db,
        port,
        host: opts.host,
        concurrency,
        ...(leaseMs ? { leaseMs } : {}),
      });
      // The address on stdout (logs go to stderr) so scripts and tests can read where to send webhooks.
      process.stdout.write(`listening on ${server.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          // Info lines still buffered come first, so the log reads in order.
          stderrLogger.flush();
          process.stderr.write(`${signal}: finishing steps in flight, then stopping\n`);
          server.close().then(resolve, (err: unknown) => {
            stderrLogger.flush();
            process.stderr.write(`stop failed: ${err instanceof Error ? err.message : String(err)}\n`);
            resolve();
          });
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}
