// The demo's supply chain: Debian's docker-registry with seeded connector images, a signing key, and a few connectors
// configured to sign their releases, pin their images by digest and verify (skipped, with a note, without the registry).

import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit } from '../../git/run-git.js';
import type { InfraEmulator } from '../../sandbox/infra-emulator.js';
import { type LocalRegistry, REGISTRY_BINARY, startLocalRegistry } from '../../supply/local-registry.js';
import { buildImageLayout, pushImageLayout } from '../../supply/oci-image.js';
import { createRegistryClient } from '../../supply/registry-client.js';
import { signingKeyFromPem } from '../../supply/signing-key.js';

/** Plain connectors of the acme seed (one releasable commit, no config of their own) that the demo signs. */
export const DEMO_SUPPLY_REPOS = ['connector-postgres', 'connector-redis', 'connector-asana'] as const;

const INFRA_TOKEN = 'demo-infra-token';

export interface DemoSupply {
  /** Environment the release and roll-out steps read (the signing key by name, the infra token). */
  env: Record<string, string>;
  /** Connectors configured for the supply chain. */
  repos: string[];
  registry: LocalRegistry | null;
  lines: string[];
  stop(): Promise<void>;
}

const LOCKFILE = (name: string) =>
  `${JSON.stringify(
    {
      name,
      lockfileVersion: 3,
      packages: {
        '': { name, version: '0.0.0' },
        'node_modules/zod': {
          version: '4.1.12',
          integrity: 'sha512-JInaHOamG8pt5+Ey8kGmdcAcg3OL9reK8ltczgHTAwNhMys/6ThXHityHxVV2p3fkw/c+MAvBHFVYHFZDmjMCQ==',
          license: 'MIT',
        },
      },
    },
    null,
    2,
  )}\n`;

/** The signing key lives with the demo's state, so a resumed demo signs with the same key (mode 0600). */
async function demoSigningKey(root: string): Promise<string> {
  const file = join(root, 'signing-key.pem');
  if (existsSync(file)) return readFile(file, 'utf8');
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  await writeFile(file, pem, { mode: 0o600 });
  return pem;
}

/**
 * Start the registry (or explain why not), then give each demo connector a supply configuration in one commit
 * (`chore:`, so the plan's bumps stay the same) and push its image under the version the plan will release.
 */
export async function startDemoSupply(input: {
  root: string;
  githubUrl: string;
  token: string;
  infra: InfraEmulator;
  /** Planned next tag per repository (`v1.2.4`), from the dry run. */
  planned: Map<string, string>;
}): Promise<DemoSupply> {
  const none = (line: string): DemoSupply => ({
    env: {},
    repos: [],
    registry: null,
    lines: [line],
    stop: async () => {},
  });
  if (!existsSync(REGISTRY_BINARY)) {
    return none(
      `Supply chain    skipped: ${REGISTRY_BINARY} is not installed (apt-get install -y docker-registry), so releases are not signed or pinned`,
    );
  }
  const registry = await startLocalRegistry({ root: join(input.root, 'registry') });
  try {
    const pem = await demoSigningKey(input.root);
    const publicKey = signingKeyFromPem(pem).publicKeyPem;
    const client = createRegistryClient();
    const repos: string[] = [];
    const work = join(input.root, 'supply-work');
    for (const name of DEMO_SUPPLY_REPOS) {
      const next = input.planned.get(name);
      if (!next) continue;
      await rm(work, { recursive: true, force: true });
      await mkdir(work, { recursive: true });
      const remote = new URL(`${input.githubUrl}/acme/${name}.git`);
      // The token reaches git through its environment, never its arguments.
      const env = {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.extraHeader',
        GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`x-access-token:${input.token}`).toString('base64')}`,
      };
      await runGit(work, ['clone', '-q', remote.toString(), 'repo'], { env });
      const dir = join(work, 'repo');
      await mkdir(join(dir, 'keys'), { recursive: true });
      await writeFile(join(dir, 'keys', 'release.pub'), publicKey);
      await writeFile(join(dir, 'package-lock.json'), LOCKFILE(name));
      await writeFile(
        join(dir, '.cutter.yml'),
        [
          '# The demo signs this connector: SBOM, signatures and provenance on every release, the image pinned by digest.',
          'deploy:',
          `  image: "${registry.host}/acme/{repo}:{version}"`,
          `  driver: { type: infra-api, baseUrl: "${input.infra.url}", auth: { env: DEMO_INFRA_TOKEN } }`,
          'supply:',
          '  require: [signature, sbom, provenance]',
          '  signingKey: { env: CUTTER_SIGNING_KEY }',
          '  publicKeys: [keys/release.pub]',
          '  waitForImageSeconds: 30',
          '',
        ].join('\n'),
      );
      await runGit(dir, ['add', '.']);
      const status = await runGit(dir, ['status', '--porcelain']);
      if (status.stdout.trim()) {
        await runGit(dir, [
          '-c',
          'user.name=Cutter Demo',
          '-c',
          'user.email=demo@cutter.invalid',
          'commit',
          '-q',
          '-m',
          'chore: sign releases and pin images by digest',
        ]);
        await runGit(dir, ['push', '-q', 'origin', 'HEAD'], { env });
      }
      const version = next.replace(/^v/, '');
      const layout = buildImageLayout({
        files: { VERSION: `${name} ${version}\n` },
        labels: { 'org.opencontainers.image.version': version },
      });
      await pushImageLayout(client, { registry: registry.host, path: `acme/${name}` }, layout, version);
      repos.push(name);
    }
    await rm(work, { recursive: true, force: true });
    return {
      env: { CUTTER_SIGNING_KEY: pem, DEMO_INFRA_TOKEN: INFRA_TOKEN },
      repos,
      registry,
      lines: [
        `Registry        ${registry.url}  (docker-registry; images of ${repos.join(', ') || 'no connector'})`,
        `Supply chain    ${repos.length} connector(s) sign their releases, roll out by digest and end with verify`,
      ],
      stop: () => registry.stop(),
    };
  } catch (err) {
    await registry.stop();
    throw err;
  }
}
