// The supply chain wired into cutter serve: a push releases, signs and attests, rolls the image out by digest and
// verifies, all against the sandbox, Debian's docker-registry and the infra emulator. Plus the policy gate refusing
// an unsigned image, a missing image, and a registry that answers 500 while a roll-out pins.
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InfraEmulator, startInfraEmulator } from '../src/sandbox/infra-emulator.js';
import { type RunningServer, startServe } from '../src/server/serve.js';
import { silentLogger } from '../src/server/server-logger.js';
import { supplyPublishStep } from '../src/steps/supply-publish.js';
import type { TaskRecord } from '../src/store/types.js';
import { SUPPLY_ASSETS } from '../src/supply/asset-names.js';
import { type LocalRegistry, startLocalRegistry } from '../src/supply/local-registry.js';
import { buildImageLayout, pushImageLayout } from '../src/supply/oci-image.js';
import { publishSupplyChain } from '../src/supply/publish-supply.js';
import { createRegistryClient } from '../src/supply/registry-client.js';
import { type FaultProxy, startFaultProxy } from '../src/supply/registry-fault-proxy.js';
import { sbomFromLockfile } from '../src/supply/sbom.js';
import { keySigner, signingKeyFromPem } from '../src/supply/signing-key.js';
import { sandboxClient } from './release-flow-support.js';
import { gitOk, type Harness, startSandbox, TOKEN } from './sandbox-harness.js';
import { oidcToken, type SigstoreMock, startSigstoreMock } from './support/sigstore-mock.js';

const SECRET = 'supply-webhook-secret';
const API = 'supply-admin-token-123';
const INFRA_TOKEN = 'supply-infra-token-abcdef';
const PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const KEY = signingKeyFromPem(PEM);
const IDENTITY = 'https://github.com/acme/connector-keyless/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
const ID_TOKEN = oidcToken(IDENTITY, ISSUER);
const LOCK = JSON.stringify({
  lockfileVersion: 3,
  packages: {
    '': { name: 'connector', version: '0.0.0' },
    'node_modules/zod': { version: '4.0.0', integrity: 'sha512-AAAA', license: 'MIT' },
  },
});

let h: Harness;
let emu: InfraEmulator;
let registry: LocalRegistry;
let proxy: FaultProxy;
let server: RunningServer;
let dbDir: string;
let sigstore: SigstoreMock;
const images = createRegistryClient({ retries: 1, backoffMs: 5 });

// biome-ignore lint/suspicious/noExplicitAny: task data and API answers are read field by field in assertions
type Json = Record<string, any>;

async function api(path: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${API}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function finished(id: string, timeoutMs = 120_000): Promise<TaskRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await server.store.getTask(id);
    if (task && ['done', 'failed', 'cancelled'].includes(task.status)) return task;
    if (Date.now() > deadline) throw new Error(`task ${id} unfinished: ${task?.status} at ${task?.step}`);
    await sleep(50);
  }
}

async function firstTask(kind: string, key: string, timeoutMs = 120_000): Promise<TaskRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await h.sandbox.webhookDispatcher?.whenIdle();
    // A release's own tag push starts a task too (skipped at classify): never take that one.
    const task = (await server.store.listTasks({ kind })).tasks.find(
      (t) => t.key === key && (t.data as Json)['push']?.['ref']?.startsWith('refs/tags/') !== true,
    );
    if (task) return task;
    if (Date.now() > deadline) throw new Error(`no ${kind} task for ${key}`);
    await sleep(50);
  }
}

async function pushRepo(name: string, files: Record<string, string>, message: string) {
  await h.octokit.rest.repos.createInOrg({ org: 'acme', name });
  const work = await h.tmp();
  await gitOk(work, ['clone', '--quiet', h.remote('acme', name), 'clone']);
  const dir = join(work, 'clone');
  await gitOk(dir, ['checkout', '-q', '-B', 'main']);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  await gitOk(dir, ['add', '.']);
  await gitOk(dir, ['commit', '-q', '-m', message]);
  await gitOk(dir, ['push', '-q', 'origin', 'main']);
}

async function pushImage(host: string, name: string, tag: string, content: string) {
  const layout = buildImageLayout({ files: { VERSION: content } });
  // Always into the real registry; `host` is only what the reference names (the fault proxy forwards to it).
  await pushImageLayout(images, { registry: registry.host, path: `acme/${name}` }, layout, tag);
  return { ref: `${host}/acme/${name}:${tag}`, digest: layout.manifestDigest };
}

beforeAll(async () => {
  [h, emu, registry] = await Promise.all([
    startSandbox(),
    startInfraEmulator({ token: INFRA_TOKEN }),
    startLocalRegistry(),
  ]);
  sigstore = await startSigstoreMock();
  proxy = await startFaultProxy(registry.url);
  dbDir = await mkdtemp(join(tmpdir(), 'cutter-supply-flow-'));
  server = await startServe({
    db: join(dbDir, 'cutter.db'),
    port: 0,
    env: {
      CUTTER_WEBHOOK_SECRET: SECRET,
      CUTTER_API_TOKEN: API,
      CUTTER_ORG: 'acme',
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: h.url,
      INFRA_TOKEN,
      CUTTER_SIGNING_KEY: PEM,
      SIGSTORE_ID_TOKEN: ID_TOKEN,
    },
    logger: silentLogger,
    pollMs: 20,
  });
  await h.octokit.rest.orgs.createWebhook({
    org: 'acme',
    name: 'web',
    events: ['push'],
    config: { url: `${server.url}/webhooks/github`, content_type: 'json', secret: SECRET },
  });
});
afterAll(async () => {
  await server?.close();
  await proxy?.close();
  await Promise.all([h?.close(), emu?.close(), registry?.stop(), sigstore?.stop()]);
  await rm(dbDir, { recursive: true, force: true });
});

const deploy = (host: string) => [
  'deploy:',
  `  image: "${host}/acme/{repo}:{version}"`,
  `  driver: { type: infra-api, baseUrl: "${emu.url}", auth: { env: INFRA_TOKEN } }`,
];

describe('the supply chain in the release and roll-out flows', { timeout: 300_000 }, () => {
  const REPO = 'connector-sup';

  it('push → release → SBOM, signatures and provenance → roll-out by digest → verify ✔, audited', async () => {
    const image = await pushImage(registry.host, REPO, '1.0.0', 'connector-sup 1.0.0\n');
    await pushRepo(
      REPO,
      {
        '.cutter.yml': [
          ...deploy(registry.host),
          'supply:',
          '  require: [signature, sbom, provenance]',
          '  signingKey: { env: CUTTER_SIGNING_KEY }',
          '  publicKeys: [keys/release.pub]',
          '',
        ].join('\n'),
        'keys/release.pub': KEY.publicKeyPem,
        'package-lock.json': LOCK,
      },
      'feat: the first feature',
    );
    const release = await finished((await firstTask('release', `acme/${REPO}`)).id);
    expect([release.status, release.error?.message ?? null]).toEqual(['done', null]);
    const data = release.data as Json;
    expect(data['release']['supply']).toMatchObject({
      image: image.ref,
      digest: image.digest,
      pinned: `${registry.host}/acme/${REPO}@${image.digest}`,
    });
    expect(data['release']['verified']['ok']).toBe(true);
    expect(data['release']['verified']['checks'].map((c: Json) => c['check']).sort()).toEqual(
      ['checksums', 'checksums-signature', 'image', 'image-signature', 'provenance', 'release', 'sbom', 'tag'].sort(),
    );
    const steps = (await server.store.listStepLog(release.id)).map((s) => s.step);
    expect(steps.slice(-4)).toEqual(['supply', 'chain-rollout', 'notify', 'verify']);

    const { data: rel } = await h.octokit.rest.repos.getReleaseByTag({ owner: 'acme', repo: REPO, tag: 'v1.0.0' });
    expect(rel.assets.map((a) => a.name).sort()).toEqual(
      [
        SUPPLY_ASSETS.sbom,
        SUPPLY_ASSETS.checksums,
        SUPPLY_ASSETS.checksumsBundle,
        SUPPLY_ASSETS.imageBundle,
        SUPPLY_ASSETS.provenance,
      ].sort(),
    );
    const hex = image.digest.slice('sha256:'.length);
    const tags = await images.listTags({ registry: registry.host, path: `acme/${REPO}` });
    expect(tags.sort()).toEqual(['1.0.0', `sha256-${hex}.att`, `sha256-${hex}.sbom`, `sha256-${hex}.sig`].sort());

    // The chained roll-out: pinned, through the policy gate, the driver handed the digest and never the tag.
    const build = await finished((await firstTask('build', `acme/${REPO}`)).id);
    expect([build.status, build.error?.message ?? null]).toEqual(['done', null]);
    // the release hands its roll-out the digest it signed; pin-image checks the registry still serves it
    expect((build.data as Json)['pinned']).toMatchObject({
      requested: `${registry.host}/acme/${REPO}@${image.digest}`,
      digest: image.digest,
    });
    expect((build.data as Json)['policy']['required']).toEqual(['signature', 'sbom', 'provenance']);
    expect(emu.updates(REPO).map((u) => u.image)).toEqual([`${registry.host}/acme/${REPO}@${image.digest}`]);

    const audit = await server.store.listAudit({ target: `acme/${REPO}@v1.0.0` });
    expect(audit.map((a) => [a.action, (a.details as Json)['ok']])).toEqual([['release.verify', true]]);
  });

  it('a release whose image is not pushed yet waits at the supply step, then signs it once it is there', async () => {
    const NAME = 'connector-slowbuild';
    await pushRepo(
      NAME,
      {
        '.cutter.yml': [
          ...deploy(registry.host),
          'supply:',
          '  signingKey: { env: CUTTER_SIGNING_KEY }',
          '  waitForImageSeconds: 120',
          '',
        ].join('\n'),
        'package-lock.json': LOCK,
      },
      'feat: built slowly',
    );
    const ref = `${registry.host}/acme/${NAME}:1.0.0`;
    const first = await firstTask('release', `acme/${NAME}`);
    const deadline = Date.now() + 120_000;
    let task = await server.store.getTask(first.id);
    while (task?.status !== 'waiting' && Date.now() < deadline) {
      await sleep(50);
      task = await server.store.getTask(first.id);
    }
    expect([task?.status, task?.step, task?.waitReason]).toEqual([
      'waiting',
      'supply',
      `waiting for image ${ref} in the registry`,
    ]);
    // the release is already published while it waits
    const { data: rel } = await h.octokit.rest.repos.getReleaseByTag({ owner: 'acme', repo: NAME, tag: 'v1.0.0' });
    expect(rel.draft).toBe(false);
    const image = await pushImage(registry.host, NAME, '1.0.0', 'slow 1.0.0\n');
    const done = await finished(first.id);
    expect([done.status, done.error?.message ?? null]).toEqual(['done', null]);
    expect((done.data as Json)['release']['supply']['digest']).toBe(image.digest);
    expect((done.data as Json)['release']['verified']['ok']).toBe(true);
  });

  it('the supply step resumed after a crash adopts what it already published; other bytes under a name are a conflict', async () => {
    const release = await firstTask('release', `acme/${REPO}`);
    const { release: state, ...rest } = release.data as Json;
    const { supply: _published, verified: _verified, ...beforeSupply } = state;
    const gh = await sandboxClient(h);
    const logs: string[] = [];
    const ctx = {
      taskId: release.id,
      kind: 'release',
      key: release.key,
      data: { ...rest, release: beforeSupply },
      log: (m: string) => logs.push(m),
      signal: new AbortController().signal,
      now: () => new Date(),
      deps: { github: gh, env: { CUTTER_SIGNING_KEY: PEM } },
      attempt: 1,
      maxAttempts: 1,
      listChildren: async () => [],
    };
    const again = await supplyPublishStep.run(ctx);
    const assets = (again.patch as Json)['release']['supply']['assets'];
    expect(assets.map((a: Json) => a['outcome'])).toEqual(assets.map(() => 'adopted'));
    expect((again.patch as Json)['release']['supply']['digest']).toBe(state['supply']['digest']);

    const { data: rel } = await gh.rest.repos.getReleaseByTag({ owner: 'acme', repo: REPO, tag: 'v1.0.0' });
    const sbom = rel.assets.find((a) => a.name === SUPPLY_ASSETS.sbom);
    await gh.rest.repos.deleteReleaseAsset({ owner: 'acme', repo: REPO, asset_id: sbom?.id ?? 0 });
    const other = Buffer.from(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1 }));
    await gh.rest.repos.uploadReleaseAsset({
      owner: 'acme',
      repo: REPO,
      release_id: rel.id,
      name: SUPPLY_ASSETS.sbom,
      baseUrl: rel.upload_url.slice(0, rel.upload_url.indexOf('/repos/')),
      headers: { 'content-type': 'application/json', 'content-length': other.length },
      data: other as unknown as string,
    });
    await expect(supplyPublishStep.run(ctx)).rejects.toMatchObject({
      code: 'CUTTER_RELEASE_CONFLICT',
      message: expect.stringContaining(`release asset ${SUPPLY_ASSETS.sbom} exists with other content`),
    });
  });

  it('a ✖ in the verify step fails the task with the reason, the release stays published, and tasks retry re-checks', async () => {
    const NAME = 'connector-badkey';
    const trusted = join(dbDir, 'trusted.pub');
    const other = signingKeyFromPem(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    await writeFile(trusted, other.publicKeyPem);
    await pushRepo(
      NAME,
      {
        '.cutter.yml': [
          'supply:',
          '  signingKey: { env: CUTTER_SIGNING_KEY }',
          `  publicKeys: [${JSON.stringify(trusted)}]`,
          '',
        ].join('\n'),
        'package-lock.json': LOCK,
      },
      'feat: signed by a key nobody trusts yet',
    );
    const task = await finished((await firstTask('release', `acme/${NAME}`)).id);
    expect([task.status, task.step, task.error?.code]).toEqual(['failed', 'verify', 'CUTTER_REFUSED']);
    expect(task.error?.message).toMatch(/release v1\.0\.0 is NOT verified: .*✖ provenance: .*not a trusted key/);
    expect((task.data as Json)['release']['verified']).toBeUndefined();
    const { data: rel } = await h.octokit.rest.repos.getReleaseByTag({ owner: 'acme', repo: NAME, tag: 'v1.0.0' });
    expect(rel.draft).toBe(false);
    expect(rel.assets.map((a) => a.name)).toContain(SUPPLY_ASSETS.provenance);
    // no image configured: only release assets, and the checklist has no image lines
    expect(rel.assets.map((a) => a.name)).not.toContain(SUPPLY_ASSETS.imageBundle);

    await writeFile(trusted, KEY.publicKeyPem);
    expect((await api(`/api/tasks/${task.id}/retry`, {})).status).toBeLessThan(300);
    const done = await finished(task.id);
    expect([done.status, done.error?.message ?? null]).toEqual(['done', null]);
    expect((done.data as Json)['release']['verified']['ok']).toBe(true);
    const audit = await server.store.listAudit({ target: `acme/${NAME}@v1.0.0` });
    expect(audit.map((a) => [a.action, (a.details as Json)['ok']])).toEqual([
      ['release.verify', true],
      ['release.verify', false],
    ]);
  });

  it('supply.keyless without a key: Fulcio certifies the CI identity, Rekor logs, and verify trusts that identity', async () => {
    const NAME = 'connector-keyless';
    const root = join(dbDir, 'trusted_root.json');
    await writeFile(root, JSON.stringify(sigstore.trustedRoot));
    const keyless = (identity: string) =>
      `  keyless: { fulcioURL: "${sigstore.url}", rekorURL: "${sigstore.url}", identity: "${identity}", issuer: "${ISSUER}", trustedRoot: ${JSON.stringify(root)} }`;
    await pushRepo(
      NAME,
      { '.cutter.yml': ['supply:', keyless(IDENTITY), ''].join('\n'), 'package-lock.json': LOCK },
      'feat: signed by the CI identity',
    );
    const task = await finished((await firstTask('release', `acme/${NAME}`)).id);
    expect([task.status, task.error?.message ?? null]).toEqual(['done', null]);
    expect((task.data as Json)['release']['verified']['ok']).toBe(true);
    const steps = (await server.store.listStepLog(task.id)).map((s) => s.step);
    expect(steps).toContain('supply-keyless');
    expect(steps).not.toContain('supply');
    expect(steps.at(-1)).toBe('verify');
    expect(sigstore.served.get('/api/v2/signingCert') ?? 0).toBeGreaterThan(0);
    expect(sigstore.served.get('/api/v1/log/entries') ?? 0).toBeGreaterThan(0);
    const { data: rel } = await h.octokit.rest.repos.getReleaseByTag({ owner: 'acme', repo: NAME, tag: 'v1.0.0' });
    expect(rel.assets.map((a) => a.name)).toContain(SUPPLY_ASSETS.checksumsBundle);

    // The token the CI handed out never reaches the step log or the task data.
    const logs = JSON.stringify(await server.store.listStepLog(task.id)) + JSON.stringify(task.data);
    expect(logs).not.toContain(ID_TOKEN.split('.')[1]);
  });

  it('supply.publicKeys only (signed elsewhere): verify waits for the pipeline to attach the signatures, then ✔', async () => {
    const NAME = 'connector-elsewhere';
    const image = await pushImage(registry.host, NAME, '1.0.0', 'elsewhere 1.0.0\n');
    await pushRepo(
      NAME,
      {
        '.cutter.yml': [
          ...deploy(registry.host),
          'supply:',
          '  publicKeys: [keys/release.pub]',
          '  waitForImageSeconds: 120',
          '',
        ].join('\n'),
        'keys/release.pub': KEY.publicKeyPem,
      },
      'feat: signed by our CI',
    );
    const first = await firstTask('release', `acme/${NAME}`);
    const deadline = Date.now() + 120_000;
    let task = await server.store.getTask(first.id);
    while (task?.status !== 'waiting' && Date.now() < deadline) {
      await sleep(50);
      task = await server.store.getTask(first.id);
    }
    expect([task?.status, task?.step, task?.waitReason]).toEqual([
      'waiting',
      'verify-signed-elsewhere',
      `waiting for ${SUPPLY_ASSETS.checksums}, ${SUPPLY_ASSETS.checksumsBundle}, ${SUPPLY_ASSETS.provenance} on release v1.0.0`,
    ]);
    // The repository's own pipeline signs the release and its image with the key whose public half it committed.
    const gh = await sandboxClient(h);
    const { data: tagRef } = await gh.rest.git.getRef({ owner: 'acme', repo: NAME, ref: 'tags/v1.0.0' });
    const { data: tagObj } = await gh.rest.git.getTag({ owner: 'acme', repo: NAME, tag_sha: tagRef.object.sha });
    await publishSupplyChain({
      gh,
      repo: { owner: 'acme', name: NAME },
      tag: 'v1.0.0',
      commit: tagObj.object.sha,
      repositoryUrl: `${h.url}/acme/${NAME}`,
      builderId: 'https://ci.example.com/builder',
      image: image.ref,
      registry: images,
      signer: keySigner(KEY),
      sbom: sbomFromLockfile(LOCK, { name: NAME, version: '1.0.0' }),
      artifacts: [],
      waitForImageMs: 0,
    });
    const done = await finished(first.id);
    expect([done.status, done.error?.message ?? null]).toEqual(['done', null]);
    const verified = (done.data as Json)['release']['verified'];
    expect(verified['ok']).toBe(true);
    expect(verified['checks'].find((c: Json) => c['check'] === 'image')['detail']).toContain(image.digest);
    const steps = (await server.store.listStepLog(done.id)).map((s) => s.step);
    expect(steps).not.toContain('supply');
    expect(steps.at(-1)).toBe('verify-signed-elsewhere');
    const audit = await server.store.listAudit({ target: `acme/${NAME}@v1.0.0` });
    expect(audit.map((a) => [a.action, (a.details as Json)['ok']])).toEqual([['release.verify', true]]);
  });

  it('supply.waitForSignaturesSeconds bounds the wait for signatures attached elsewhere, apart from the image wait', async () => {
    const NAME = 'connector-unsigned-elsewhere';
    await pushImage(registry.host, NAME, '1.0.0', 'unsigned elsewhere 1.0.0\n');
    await pushRepo(
      NAME,
      {
        '.cutter.yml': [
          ...deploy(registry.host),
          'supply:',
          '  publicKeys: [keys/release.pub]',
          '  waitForImageSeconds: 120',
          '  waitForSignaturesSeconds: 0',
          '',
        ].join('\n'),
        'keys/release.pub': KEY.publicKeyPem,
      },
      'feat: nobody signs this one',
    );
    const first = await firstTask('release', `acme/${NAME}`);
    const done = await finished(first.id);
    // No wait for the pipeline (waitForImageSeconds would have parked it for two minutes): the checklist says what lacks.
    expect([done.status, done.step]).toEqual(['failed', 'verify-signed-elsewhere']);
    expect(done.error?.message).toMatch(/release v1\.0\.0 is NOT verified: .*✖ checksums/);
    const steps = await server.store.listStepLog(done.id);
    expect(steps.filter((s) => s.step === 'verify-signed-elsewhere').map((s) => s.outcome)).toEqual(['error']);
  });

  it('giving up on the image or on signatures ends that wait clock: tasks retry waits for them afresh', async () => {
    const UNBUILT = 'connector-never-built';
    const ELSEWHERE = 'connector-never-signed';
    await pushImage(registry.host, ELSEWHERE, '1.0.0', 'never signed 1.0.0\n');
    await pushRepo(
      UNBUILT,
      {
        '.cutter.yml': [
          ...deploy(registry.host),
          'supply:',
          '  signingKey: { env: CUTTER_SIGNING_KEY }',
          '  waitForImageSeconds: 1',
          '',
        ].join('\n'),
        'package-lock.json': LOCK,
      },
      'feat: the build never pushes its image',
    );
    await pushRepo(
      ELSEWHERE,
      {
        '.cutter.yml': [
          ...deploy(registry.host),
          'supply:',
          '  publicKeys: [keys/release.pub]',
          '  waitForSignaturesSeconds: 1',
          '',
        ].join('\n'),
        'keys/release.pub': KEY.publicKeyPem,
      },
      'feat: the pipeline never signs',
    );
    const cases = [
      { name: UNBUILT, step: 'supply', clock: 'imageWaitingSince', error: /image .* not found in the registry/ },
      { name: ELSEWHERE, step: 'verify-signed-elsewhere', clock: 'signaturesWaitingSince', error: /NOT verified/ },
    ];
    for (const c of cases) {
      const first = await firstTask('release', `acme/${c.name}`);
      // It waited (parked) for its second, then gave up: the clock it kept is gone with the failure.
      const failed = await finished(first.id);
      expect([failed.status, failed.step]).toEqual(['failed', c.step]);
      expect(failed.error?.message).toMatch(c.error);
      expect((await server.store.listStepLog(first.id)).map((s) => s.outcome)).toContain('wait');
      expect((failed.data as Json)['release'][c.clock]).toBeUndefined();

      expect((await api(`/api/tasks/${first.id}/retry`, {})).status).toBeLessThan(300);
      const deadline = Date.now() + 60_000;
      let task = await server.store.getTask(first.id);
      while (task?.status !== 'waiting' && task?.status !== 'failed' && Date.now() < deadline) {
        await sleep(20);
        task = await server.store.getTask(first.id);
      }
      // Waiting again, from the retry on, not failed at once on the old clock.
      expect([task?.status, task?.step]).toEqual(['waiting', c.step]);
      expect(Date.now() - Date.parse((task!.data as Json)['release'][c.clock])).toBeLessThan(30_000);
      await finished(first.id);
    }
  });

  it('the policy gate refuses an unsigned image, naming what it lacks; nothing reaches the driver', async () => {
    const bare = await pushImage(registry.host, REPO, '0.9.0-unsigned', 'unsigned\n');
    const { status, body } = await api('/api/builds', {
      build: { type: 'connector', connectorId: REPO, repo: `acme/${REPO}`, image: bare.ref },
    });
    expect(status).toBe(202);
    const task = await finished(body['task']['id']);
    expect(task.status).toBe('failed');
    expect(task.step).toBe('image-policy');
    expect(task.error?.message).toContain(`${registry.host}/acme/${REPO}@${bare.digest}`);
    expect(task.error?.message).toMatch(/signature \(none stored\), provenance \(none stored\), sbom \(none stored\)/);
    expect(emu.updates(REPO).map((u) => u.image)).not.toContain(expect.stringContaining(bare.digest));
  });

  it('a roll-out waits, parked, for an image still being pushed, then hands the driver its digest', async () => {
    const LATER = 'connector-later';
    await pushRepo(
      LATER,
      { '.cutter.yml': [...deploy(registry.host), 'supply:', '  waitForImageSeconds: 120', ''].join('\n') },
      'chore: config only',
    );
    const ref = `${registry.host}/acme/${LATER}:3.0.0`;
    const { body } = await api('/api/builds', {
      build: { type: 'connector', connectorId: LATER, repo: `acme/${LATER}`, image: ref },
    });
    const id = body['task']['id'];
    const deadline = Date.now() + 60_000;
    let task = await server.store.getTask(id);
    while (task?.status !== 'waiting' && Date.now() < deadline) {
      await sleep(50);
      task = await server.store.getTask(id);
    }
    expect([task?.status, task?.step, task?.waitReason]).toEqual([
      'waiting',
      'pin-image',
      `waiting for image ${ref} in the registry`,
    ]);
    const image = await pushImage(registry.host, LATER, '3.0.0', 'later 3.0.0\n');
    const done = await finished(id);
    expect([done.status, done.error?.message ?? null]).toEqual(['done', null]);
    expect((done.data as Json)['imageWaitingSince']).toBeUndefined();
    expect(emu.updates(LATER).map((u) => u.image)).toEqual([`${registry.host}/acme/${LATER}@${image.digest}`]);
  });

  it('a missing image fails the roll-out naming the reference; a registry 500 is retried, then fails clearly; retry works', async () => {
    const FLAKY = 'connector-flaky';
    await pushRepo(
      FLAKY,
      { '.cutter.yml': [...deploy(proxy.host), 'supply:', '  waitForImageSeconds: 0', ''].join('\n') },
      'chore: config only',
    );
    const missing = `${proxy.host}/acme/${FLAKY}:9.9.9`;
    const gone = await api('/api/builds', {
      build: { type: 'connector', connectorId: FLAKY, repo: `acme/${FLAKY}`, image: missing },
    });
    const lost = await finished(gone.body['task']['id']);
    expect([lost.status, lost.step]).toEqual(['failed', 'pin-image']);
    expect(lost.error?.message).toContain(`image ${missing} not found in the registry`);

    const image = await pushImage(proxy.host, FLAKY, '2.0.0', 'flaky 2.0.0\n');
    const before = proxy.seen.length;
    proxy.fail(1_000, { status: 500 });
    const { body } = await api('/api/builds', {
      build: { type: 'connector', connectorId: FLAKY, repo: `acme/${FLAKY}`, image: image.ref },
    });
    const failed = await finished(body['task']['id']);
    expect([failed.status, failed.step]).toEqual(['failed', 'pin-image']);
    expect(failed.error?.message).toMatch(
      new RegExp(`cannot resolve image ${image.ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: registry .* answered 500`),
    );
    // the client retried within each attempt and the engine ran the step again
    expect(proxy.seen.length - before).toBeGreaterThanOrEqual(4);
    expect(emu.updates(FLAKY)).toEqual([]);

    proxy.fail(0, { status: 500 });
    const retried = await api(`/api/tasks/${failed.id}/retry`, {});
    expect(retried.status).toBeLessThan(300);
    const done = await finished(failed.id);
    expect([done.status, done.error?.message ?? null]).toEqual(['done', null]);
    expect(emu.updates(FLAKY).map((u) => u.image)).toEqual([`${proxy.host}/acme/${FLAKY}@${image.digest}`]);
  });
});
