// Benchmark of `cutter verify`: a release with 20 assets (10 MB) and its image, against `sha256sum` over the same files.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createGitHubClient } from '../src/github/client.js';
import { ensureAnnotatedTag } from '../src/github/repo-api.js';
import { startLocalRegistry } from '../src/supply/local-registry.js';
import { buildImageLayout, pushImageLayout } from '../src/supply/oci-image.js';
import { publishSupplyChain } from '../src/supply/publish-supply.js';
import { createRegistryClient } from '../src/supply/registry-client.js';
import { sbomFromLockfile } from '../src/supply/sbom.js';
import { keySigner, signingKeyFromPem } from '../src/supply/signing-key.js';
import { trustedKeys } from '../src/supply/verify-bundle.js';
import { verifyRelease } from '../src/supply/verify-release.js';
import type { BenchContext, BenchReport } from './lib/benchmark.js';
import { machineInfo, machineLine } from './lib/machine.js';
import { runCommand } from './lib/run-command.js';
import { processCpuMs, type SandboxProcess, startSandboxProcess } from './lib/sandbox-process.js';
import { median, round } from './lib/stats.js';
import { markdownTable } from './lib/table.js';

const ASSETS = 20;
const TOTAL_BYTES = 10 * 1024 * 1024;
const ROUNDS = 5;
const TARGET = 3;
/** Runs of the built CLI in a fresh process each (what `cutter verify` in a pipeline costs). */
const CLI_ROUNDS = 3;

export async function run(ctx: BenchContext): Promise<BenchReport> {
  const root = await mkdtemp(join(tmpdir(), 'cutter-bench-supply-'));
  const registry = await startLocalRegistry();
  const token = 'bench-supply-token';
  await mkdir(join(root, 'sandbox'));
  let sandbox: SandboxProcess | null = null;
  try {
    // GitHub serves the assets from other machines: the CPU it spends reading and sending 10 MB is not the verifier's.
    sandbox = await startSandboxProcess(ctx.root, join(root, 'sandbox'), [
      '--org',
      'acme',
      '--connectors',
      '0',
      '--token',
      token,
    ]);
    const { url } = sandbox;
    const gh = await createGitHubClient({ baseUrl: url, token, env: {}, retries: 3, retryBaseMs: 20 });
    await gh.rest.repos.createInOrg({ org: 'acme', name: 'connector-bench' });
    const work = join(root, 'work');
    await mkdir(work);
    const git = (args: string[]) => runCommand('git', args, { cwd: work });
    await git(['init', '-q', '-b', 'main']);
    await git([
      '-c',
      'user.name=bench',
      '-c',
      'user.email=bench@example.com',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'feat: bench',
    ]);
    await git(['push', '-q', `${url.replace('://', `://x-access-token:${token}@`)}/acme/connector-bench.git`, 'main']);
    const commit = { sha: await git(['rev-parse', 'HEAD']) };
    const head = { commit: { sha: commit.sha } };
    const ref = { owner: 'acme', name: 'connector-bench' };
    await ensureAnnotatedTag(gh, ref, { tag: 'v1.0.0', sha: head.commit.sha, message: 'v1.0.0' });
    await gh.rest.repos.createRelease({ owner: 'acme', repo: 'connector-bench', tag_name: 'v1.0.0', body: 'notes' });

    const files = join(root, 'assets');
    await mkdir(files);
    const artifacts = Array.from({ length: ASSETS - 1 }, (_, i) => ({
      name: `connector-bench-${i}.bin`,
      bytes: randomBytes(Math.floor(TOTAL_BYTES / (ASSETS - 1))),
    }));
    const sbom = sbomFromLockfile(
      await (await import('node:fs/promises')).readFile(join(ctx.root, 'package-lock.json'), 'utf8'),
      {
        name: 'connector-bench',
        version: '1.0.0',
      },
    );
    for (const a of artifacts) await writeFile(join(files, a.name), a.bytes);
    await writeFile(join(files, 'sbom.cdx.json'), sbom);

    const images = createRegistryClient();
    const image = `${registry.host}/acme/connector-bench:1.0.0`;
    await pushImageLayout(
      images,
      { registry: registry.host, path: 'acme/connector-bench' },
      buildImageLayout({ files: { VERSION: '1.0.0' } }),
      '1.0.0',
    );
    const key = signingKeyFromPem(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    ctx.progress('publishing the release (untimed)');
    await publishSupplyChain({
      gh,
      repo: ref,
      tag: 'v1.0.0',
      commit: head.commit.sha,
      repositoryUrl: `${url}/acme/connector-bench`,
      builderId: 'bench',
      image,
      registry: images,
      signer: keySigner(key),
      sbom,
      artifacts,
      waitForImageMs: 0,
    });
    const keys = trustedKeys([key.publicKeyPem]);
    const names = [...artifacts.map((a) => a.name), 'sbom.cdx.json'];

    const floor: number[] = [];
    const verify: number[] = [];
    const verifyCpu: number[] = [];
    let cold = 0;
    for (let round_ = 0; round_ <= ROUNDS; round_++) {
      let t = performance.now();
      await runCommand('sha256sum', names, { cwd: files });
      const f = performance.now() - t;
      t = performance.now();
      const cpu = process.cpuUsage();
      const report = await verifyRelease({ gh, repo: ref, tag: 'v1.0.0', keys, image, registry: images });
      const v = performance.now() - t;
      const used = process.cpuUsage(cpu);
      if (!report.ok) throw new Error(`verify failed: ${JSON.stringify(report.checks.filter((c) => !c.ok))}`);
      if (round_ === 0)
        cold = v; // first round compiles the CycloneDX schema; reported apart
      else {
        floor.push(f);
        verify.push(v);
        verifyCpu.push((used.user + used.system) / 1000);
      }
      ctx.progress(
        `round ${round_}: sha256sum ${f.toFixed(0)} ms, verify ${v.toFixed(0)} ms (CPU ${((used.user + used.system) / 1000).toFixed(0)} ms)`,
      );
    }
    // The same check as a user runs it: `node bin/cutter.js verify` in a new process each time, start-up included.
    // Its CPU is the reaped child's (cutime + cstime of this process, which reaps nothing else meanwhile).
    await writeFile(join(root, 'release.pub'), key.publicKeyPem);
    const cliArgs = ['verify', 'v1.0.0', '--repo', 'acme/connector-bench', '--image', image, '--api-url', url];
    cliArgs.push('--public-key', join(root, 'release.pub'), '--db', join(root, 'cutter.db'));
    const cliWall: number[] = [];
    const cliCpu: number[] = [];
    for (let i = 0; i < CLI_ROUNDS; i++) {
      const before = await processCpuMs('self');
      const t = performance.now();
      await runCommand(process.execPath, [join(ctx.root, 'bin', 'cutter.js'), ...cliArgs], {
        cwd: root,
        env: { ...process.env, GITHUB_TOKEN: token },
      });
      cliWall.push(performance.now() - t);
      const after = await processCpuMs('self');
      if (before && after) cliCpu.push(after.childrenMs - before.childrenMs);
      ctx.progress(`cli ${i}: ${cliWall.at(-1)?.toFixed(0)} ms wall, CPU ${cliCpu.at(-1) ?? '?'} ms`);
    }
    const machine = await machineInfo();
    const ratio = median(verify) / median(floor);
    const data = {
      assets: ASSETS,
      totalBytes: TOTAL_BYTES,
      rounds: ROUNDS,
      sha256sumMs: round(median(floor)),
      verifyMs: round(median(verify)),
      verifyColdMs: round(cold),
      verifyCpuMs: round(median(verifyCpu)),
      cliColdMs: round(median(cliWall)),
      cliColdCpuMs: cliCpu.length ? round(median(cliCpu)) : null,
      ratio: round(ratio, 2),
      target: TARGET,
      met: ratio <= TARGET,
      load: loadavg()[0],
    };
    const markdown = [
      '# Supply chain: `cutter verify`',
      '',
      `${machineLine(machine)}; load ${loadavg()[0]?.toFixed(1)} at the end.`,
      '',
      `A release with ${ASSETS} assets (${TOTAL_BYTES / 1024 / 1024} MB: ${ASSETS - 1} binaries and the SBOM, plus SHA256SUMS and three Sigstore bundles) on the GitHub sandbox (its own process, as GitHub is another machine) and its image in a real docker-registry. Verify streams every asset through the API (6 at a time, hashed as the bytes arrive), checks the checksums, three signatures, provenance, SBOM schema, and the image digest and its .sig/.att/.sbom in the registry. The floor is \`sha256sum\` over the same files on local disk, measured in the same run. Median of ${ROUNDS} rounds after one cold round (this process runs the sources, so its cold round compiles the SBOM schema). The CLI rows run the built \`node bin/cutter.js verify\` in a new process each, start-up included, as a pipeline does (the build compiled the schema ahead).`,
      '',
      markdownTable(
        ['what', 'median ms'],
        [
          ['sha256sum (floor)', round(median(floor))],
          ['cutter verify (warm)', round(median(verify))],
          ['cutter verify CPU (user + system, verifier process)', round(median(verifyCpu))],
          ['cutter verify (cold: schema compile)', round(cold)],
          [`\`cutter verify\` CLI, a new process each (median of ${CLI_ROUNDS})`, round(median(cliWall))],
          ['`cutter verify` CLI CPU (user + system)', cliCpu.length ? round(median(cliCpu)) : 'n/a'],
          ['ratio', `${ratio.toFixed(2)}× (target ≤ ${TARGET}×: ${ratio <= TARGET ? 'met' : 'missed'})`],
        ],
        ['l', 'r'],
      ),
      '',
    ].join('\n');
    return {
      name: 'supply',
      title: 'Supply chain verify',
      date: new Date().toISOString(),
      summary: `verify of 20 assets (10 MB) + image: ${round(median(verify))} ms vs sha256sum ${round(median(floor))} ms = ${ratio.toFixed(2)}× (target ≤ ${TARGET}×)`,
      data,
      markdown,
    };
  } finally {
    await sandbox?.stop();
    await registry.stop();
    await rm(root, { recursive: true, force: true });
  }
}
