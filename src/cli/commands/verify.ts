// `cutter verify <tag>`: the release checklist (tag, release, checksums, signatures, provenance, SBOM, image) as ✔/✖.
import type { Command } from 'commander';
import { CutterError } from '../../core/errors.js';
import { writeOut } from '../write-out.js';

interface VerifyOptions {
  repo?: string;
  image?: string;
  publicKey: string[];
  trustedRoot?: string;
  certificateIdentity?: string;
  certificateOidcIssuer?: string;
  rolledOut?: string;
  plainHttp: string[];
  json?: boolean;
  apiUrl?: string;
  db?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerVerify(program: Command): void {
  program
    .command('verify <tag>')
    .description('Prove a release: tag, notes, checksums, signatures, provenance, SBOM and the image digest')
    .option('--repo <owner/name>', 'the repository whose release to verify')
    .option('--image <ref>', "the release's image tag, e.g. ghcr.io/acme/connector-x:1.4.2")
    .option('--public-key <file>', 'a trusted signing public key (PEM); repeat for several', collect, [])
    .option('--trusted-root <file>', 'trusted_root.json of the Sigstore instance behind keyless signatures')
    .option('--certificate-identity <id>', 'the identity keyless signatures must carry (with --trusted-root)')
    .option('--certificate-oidc-issuer <url>', 'the OIDC issuer keyless signatures must carry (with --trusted-root)')
    .option(
      '--rolled-out <digest>',
      "the digest the roll-out deployed; the registry must still serve it (default: the store's roll-out history)",
    )
    .option('--plain-http <host>', 'talk to this registry host without TLS (loopback hosts always are)', collect, [])
    .option('--json', 'print the checklist as one JSON object')
    .option('--api-url <url>', 'GitHub API root (default GITHUB_API_URL, else api.github.com)')
    .option('--db <path>', 'store whose audit log records the result (default CUTTER_DB, else .cutter/cutter.db)')
    .addHelpText(
      'after',
      `
Examples:
  $ cutter verify v1.4.2 --repo acme/connector-x --public-key cosign.pub
  $ cutter verify v1.4.2 --repo acme/connector-x --public-key cosign.pub --image ghcr.io/acme/connector-x:1.4.2 --json
  $ cutter verify v1.4.2 --repo acme/connector-x --trusted-root trusted_root.json \\
      --certificate-identity https://github.com/acme/connector-x/.github/workflows/release.yml@refs/heads/main \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com

Exits 1 when any item is ✖. Every run is recorded in the audit log (action release.verify).`,
    )
    .action(async (tag: string, opts: VerifyOptions) => {
      const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(opts.repo ?? '');
      if (!m?.[1] || !m[2]) {
        throw new CutterError('CUTTER_BAD_INPUT', '--repo OWNER/NAME is required', { hint: '--repo acme/connector-x' });
      }
      const keylessFlags = [opts.trustedRoot, opts.certificateIdentity, opts.certificateOidcIssuer];
      if (keylessFlags.some(Boolean) && !keylessFlags.every(Boolean)) {
        throw new CutterError(
          'CUTTER_BAD_INPUT',
          'keyless verification needs --trusted-root, --certificate-identity and --certificate-oidc-issuer together',
        );
      }
      if (opts.publicKey.length === 0 && !opts.trustedRoot) {
        throw new CutterError(
          'CUTTER_BAD_INPUT',
          'at least one --public-key (or a keyless --trusted-root) is required',
          {
            hint: 'pass the PEM public key that matches the signing key, e.g. --public-key cosign.pub',
          },
        );
      }
      const [{ readFile, mkdir }, path, { openStore }, { createGitHubClient }, supply, bundles, registry] =
        await Promise.all([
          import('node:fs/promises'),
          import('node:path'),
          import('../../store/index.js'),
          import('../../github/client.js'),
          import('../../supply/verify-release.js'),
          import('../../supply/verify-bundle.js'),
          import('../../supply/registry-client.js'),
        ]);
      const pems = await Promise.all(
        opts.publicKey.map((file) =>
          readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
            throw new CutterError('CUTTER_BAD_INPUT', `cannot read public key ${file}: ${err.code}`);
          }),
        ),
      );
      const keyless =
        opts.trustedRoot && opts.certificateIdentity && opts.certificateOidcIssuer
          ? await (await import('../../supply/keyless.js')).loadKeylessTrust({
              trustedRoot: opts.trustedRoot,
              identity: opts.certificateIdentity,
              issuer: opts.certificateOidcIssuer,
            })
          : undefined;
      let keys: ReturnType<typeof bundles.trustedKeys>;
      try {
        keys = bundles.trustedKeys(pems, keyless);
      } catch {
        throw new CutterError('CUTTER_BAD_INPUT', 'a --public-key file is not a PEM public key');
      }
      const repo = { owner: m[1], name: m[2] };
      const gh = await createGitHubClient({ ...(opts.apiUrl ? { baseUrl: opts.apiUrl } : {}) });
      const dbPath = opts.db ?? process.env['CUTTER_DB'] ?? path.join('.cutter', 'cutter.db');
      if (!dbPath.includes('://') && !dbPath.startsWith('sqlite:') && dbPath !== ':memory:') {
        await mkdir(path.dirname(path.resolve(dbPath)), { recursive: true });
      }
      const store = await openStore(dbPath);
      let report: Awaited<ReturnType<typeof supply.verifyRelease>>;
      try {
        // Without --rolled-out, the digest this store's roll-outs of the release deployed (cutter serve/rollout).
        let rolledOut: { digest: string; from?: string } | null = opts.rolledOut ? { digest: opts.rolledOut } : null;
        if (!rolledOut && opts.image) {
          const { kvRolloutHistory, releaseRollout } = await import('../../deploy/rollout-history.js');
          const record = releaseRollout(await kvRolloutHistory(store).list(), {
            repo: `${repo.owner}/${repo.name}`,
            tag,
            image: opts.image,
          });
          if (record) {
            rolledOut = {
              digest: record.digest,
              from: `the roll-out history: ${record.connectorId} at ${record.at}${record.taskId ? `, task ${record.taskId}` : ''}`,
            };
          }
        }
        report = await supply.verifyRelease({
          gh,
          repo,
          tag,
          keys,
          ...(opts.image
            ? { image: opts.image, registry: registry.createRegistryClient({ plainHttpHosts: opts.plainHttp }) }
            : {}),
          ...(rolledOut ? { rolledOut: rolledOut.digest } : {}),
          ...(rolledOut?.from ? { rolledOutFrom: rolledOut.from } : {}),
        });
        await store.appendAudit({
          actor: `${process.env['USER'] ?? 'cli'} (cli)`,
          action: 'release.verify',
          target: `${report.repo}@${tag}`,
          details: { ok: report.ok, checks: report.checks.map((c) => ({ ...c })) },
        });
      } finally {
        await store.close();
      }
      await writeOut(opts.json ? `${JSON.stringify(report)}\n` : supply.formatVerifyReport(report));
      if (!report.ok) process.exitCode = 1;
    });
}
