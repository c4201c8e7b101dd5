// `cutter verify <tag>`: seed 004's release checklist, each item ✔ or ✖ with the reason; nothing passes unproven.

import type { Bundle } from '@sigstore/bundle';
import { imageRepository } from '../core/image-ref.js';
import type { GitHubClient } from '../github/client.js';
import { githubStatus } from '../github/github-error.js';
import type { RepoRef } from '../github/repo-api.js';
import { coveredByChecksums, SUPPLY_ASSETS } from './asset-names.js';
import { parseChecksums, sha256Hex } from './checksums.js';
import { cosignTag, readImageAttachments, simpleSigningPayload } from './image-attachments.js';
import { INTOTO_PAYLOAD_TYPE, provenanceCommit, provenanceSubject, type Statement } from './provenance.js';
import { type RegistryClient, repositoryOf } from './registry-client.js';
import { type AssetInfo, listAssets, type StreamedAsset, streamAsset } from './release-assets.js';
import { validateSbom } from './sbom-schema.js';
import { parseBundle } from './signing-key.js';
import { bundleProblem, dssePayload, type TrustedKeys } from './verify-bundle.js';

export type CheckName =
  | 'tag'
  | 'release'
  | 'checksums'
  | 'checksums-signature'
  | 'provenance'
  | 'sbom'
  | 'image-signature'
  | 'image';

export interface CheckResult {
  check: CheckName;
  ok: boolean;
  detail: string;
}

export interface VerifyReport {
  repo: string;
  tag: string;
  ok: boolean;
  checks: CheckResult[];
}

export interface VerifyInput {
  gh: GitHubClient;
  repo: RepoRef;
  tag: string;
  keys: TrustedKeys;
  /** The image tag of this release (`host/acme/connector-x:1.4.2`), when the repository ships one. */
  image?: string;
  registry?: RegistryClient;
  /** The digest the roll-out deployed, when known (`--rolled-out`, or the roll-out history). */
  rolledOut?: string;
  /** Where `rolledOut` came from, said in the image line (e.g. `the roll-out history: …`). */
  rolledOutFrom?: string;
}

async function tagCommit(gh: GitHubClient, repo: RepoRef, tag: string): Promise<{ commit: string } | string> {
  try {
    const { data: ref } = await gh.rest.git.getRef({ owner: repo.owner, repo: repo.name, ref: `tags/${tag}` });
    if (ref.object.type !== 'tag') return `tag ${tag} is lightweight, not annotated`;
    const { data: obj } = await gh.rest.git.getTag({ owner: repo.owner, repo: repo.name, tag_sha: ref.object.sha });
    if (obj.object.type !== 'commit') return `tag ${tag} points at a ${obj.object.type}, not a commit`;
    return { commit: obj.object.sha };
  } catch (err) {
    if (githubStatus(err) === 404) return `tag ${tag} does not exist`;
    throw err;
  }
}

async function releaseByTag(
  gh: GitHubClient,
  repo: RepoRef,
  tag: string,
): Promise<{
  id: number;
  body: string | null | undefined;
  draft: boolean;
  target_commitish: string;
  assets: AssetInfo[];
} | null> {
  try {
    const { data } = await gh.rest.repos.getReleaseByTag({ owner: repo.owner, repo: repo.name, tag });
    return {
      id: data.id,
      body: data.body,
      draft: data.draft,
      target_commitish: data.target_commitish,
      assets: data.assets.map((a) => ({ id: a.id, name: a.name, size: a.size })),
    };
  } catch (err) {
    if (githubStatus(err) === 404) return null;
    throw err;
  }
}

function pass(check: CheckName, detail: string): CheckResult {
  return { check, ok: true, detail };
}
function fail(check: CheckName, detail: string): CheckResult {
  return { check, ok: false, detail };
}

/** Assets verify needs the bytes of; every other one it only hashes. */
const keepBytes = (name: string) => !coveredByChecksums(name) || name === SUPPLY_ASSETS.sbom;
const DOWNLOADS_AT_ONCE = 6;

interface AssetDownloads {
  /** Queue these for download (an asset already queued is not fetched twice). */
  add(assets: AssetInfo[]): void;
  /** The download of asset `id`; only for an id that was added. */
  get(id: number): Promise<StreamedAsset> | undefined;
  settled(): Promise<unknown>;
}

/**
 * Stream assets a few at a time and the smallest first (the signatures and the SBOM the checks need before the
 * binaries); each asset maps to its own promise so a check waits only for what it reads.
 */
function assetDownloads(gh: GitHubClient, repo: RepoRef): AssetDownloads {
  const queue: AssetInfo[] = [];
  const settle = new Map<number, { resolve: (a: StreamedAsset) => void; reject: (e: unknown) => void }>();
  const out = new Map<number, Promise<StreamedAsset>>();
  let running = 0;
  const pump = () => {
    while (running < DOWNLOADS_AT_ONCE && queue.length > 0) {
      const a = queue.shift() as AssetInfo;
      const done = settle.get(a.id);
      running++;
      void streamAsset(gh, repo, a.id, keepBytes(a.name))
        .then(done?.resolve, done?.reject)
        .finally(() => {
          running--;
          pump();
        });
    }
  };
  return {
    add(assets) {
      for (const a of assets) {
        if (out.has(a.id)) continue;
        const promise = new Promise<StreamedAsset>((resolve, reject) => settle.set(a.id, { resolve, reject }));
        promise.catch(() => {}); // awaited by the check that reads it; an unread failure must not crash the process
        out.set(a.id, promise);
        queue.push(a);
      }
      queue.sort((x, y) => x.size - y.size);
      pump();
    },
    get: (id) => out.get(id),
    settled: () => Promise.allSettled(out.values()),
  };
}

export async function verifyRelease(input: VerifyInput): Promise<VerifyReport> {
  const { gh, repo, tag, keys } = input;
  const checks: CheckResult[] = [];
  const report = () => ({ repo: `${repo.owner}/${repo.name}`, tag, ok: checks.every((c) => c.ok), checks });

  // The tag and the release are independent reads: the downloads start as soon as the release is read, while the
  // tag (a ref, then its tag object) is still being resolved.
  const tagging = tagCommit(gh, repo, tag);
  tagging.catch(() => {}); // awaited below; a failure must not go unhandled while the release is read
  const release = await releaseByTag(gh, repo, tag);
  if (!release) {
    const tagged = await tagging;
    if (typeof tagged === 'string') checks.push(fail('tag', tagged));
    checks.push(fail('release', `no GitHub release for ${tag}`));
    return report();
  }
  checks.push(
    release.body?.trim()
      ? pass('release', `release ${tag} exists with notes`)
      : fail('release', `release ${tag} has no notes`),
  );

  // The release names its assets: their downloads start now, while the listing (the authority on what the
  // release holds, page by page) is read; whatever only the listing names is fetched when it arrives.
  const downloads = assetDownloads(gh, repo);
  downloads.add(release.assets);
  const assets = await listAssets(gh, repo, release.id);
  downloads.add(assets);
  const byName = new Map(assets.map((a) => [a.name, a]));
  const download = (name: string) => {
    const a = byName.get(name);
    return a ? downloads.get(a.id) : undefined;
  };
  const read = async (name: string): Promise<Buffer | null> => {
    const pending = download(name);
    return pending ? (await pending).bytes : null;
  };
  // Validating the SBOM is CPU work: it runs as soon as the SBOM arrives, while the binaries still download.
  const sbomVerdict = read(SUPPLY_ASSETS.sbom).then(async (sbom): Promise<CheckResult> => {
    if (!sbom) return fail('sbom', `asset ${SUPPLY_ASSETS.sbom} is missing`);
    const errors = await validateSbom(sbom.toString('utf8'));
    return errors.length
      ? fail('sbom', `invalid CycloneDX: ${errors.slice(0, 3).join('; ')}`)
      : pass('sbom', 'CycloneDX SBOM valid');
  });
  sbomVerdict.catch(() => {}); // awaited in its place in the checklist
  const readBundle = async (name: string): Promise<Bundle | string> => {
    const bytes = await read(name);
    if (!bytes) return `asset ${name} is missing`;
    try {
      return parseBundle(bytes.toString('utf8'));
    } catch (err) {
      return `asset ${name}: ${(err as Error).message}`;
    }
  };

  // Provenance first: it names the commit the tag must point at and the digests everything else must match.
  let statement: Statement | null = null;
  const provBundle = await readBundle(SUPPLY_ASSETS.provenance);
  if (typeof provBundle === 'string') {
    checks.push(fail('provenance', provBundle));
  } else {
    const problem = bundleProblem(provBundle, keys);
    const envelope = dssePayload(provBundle);
    if (problem) checks.push(fail('provenance', `signature does not verify: ${problem}`));
    else if (!envelope || envelope.payloadType !== INTOTO_PAYLOAD_TYPE)
      checks.push(fail('provenance', 'not an in-toto DSSE envelope'));
    else {
      try {
        statement = JSON.parse(envelope.payload.toString('utf8')) as Statement;
      } catch {
        checks.push(fail('provenance', 'the statement is not JSON'));
      }
    }
  }

  // The registry checks need only the provenance: they run while the binaries are still downloading.
  const imageChecks: CheckResult[] = [];
  const imageDone = input.image ? checkImage(input, statement, readBundle, imageChecks) : Promise.resolve();
  imageDone.catch(() => {});

  const tagged = await tagging.catch(async (err: unknown) => {
    await downloads.settled(); // no download outlives the verdict, nor the error
    throw err;
  });
  if (typeof tagged === 'string') checks.push(fail('tag', tagged));
  else {
    const built = statement ? provenanceCommit(statement) : null;
    const released = built ?? (/^[0-9a-f]{40}$/.test(release.target_commitish) ? release.target_commitish : null);
    if (released && released !== tagged.commit)
      checks.push(
        fail(
          'tag',
          `tag ${tag} points at ${tagged.commit.slice(0, 12)}, the release was built from ${released.slice(0, 12)}`,
        ),
      );
    else checks.push(pass('tag', `annotated tag ${tag} → ${tagged.commit.slice(0, 12)}`));
    if (statement) {
      if (built !== tagged.commit)
        checks.push(
          fail(
            'provenance',
            `provenance is for commit ${String(built).slice(0, 12)}, not ${tagged.commit.slice(0, 12)}`,
          ),
        );
      else checks.push(pass('provenance', `SLSA provenance signed for ${tagged.commit.slice(0, 12)}`));
    }
  }

  const checksumsBytes = await read(SUPPLY_ASSETS.checksums);
  if (!checksumsBytes) {
    checks.push(fail('checksums', `asset ${SUPPLY_ASSETS.checksums} is missing`));
    checks.push(fail('checksums-signature', `asset ${SUPPLY_ASSETS.checksums} is missing`));
  } else {
    const bad: string[] = [];
    try {
      const sums = parseChecksums(checksumsBytes.toString('utf8'));
      for (const a of assets) {
        if (!coveredByChecksums(a.name)) continue;
        const want = sums.get(a.name);
        if (!want) bad.push(`${a.name} not listed`);
        else if ((await download(a.name))?.sha256 !== want) bad.push(`${a.name} does not match its checksum`);
      }
      for (const name of sums.keys()) if (!byName.has(name)) bad.push(`${name} listed but missing`);
      checks.push(
        bad.length
          ? fail('checksums', bad.join('; '))
          : pass('checksums', `${sums.size} assets match ${SUPPLY_ASSETS.checksums}`),
      );
    } catch (err) {
      checks.push(fail('checksums', (err as Error).message));
    }
    const signed = statement ? provenanceSubject(statement, SUPPLY_ASSETS.checksums) : null;
    const bundle = await readBundle(SUPPLY_ASSETS.checksumsBundle);
    const problem = typeof bundle === 'string' ? bundle : bundleProblem(bundle, keys, checksumsBytes);
    if (problem) checks.push(fail('checksums-signature', problem));
    else if (signed && signed !== `sha256:${sha256Hex(checksumsBytes)}`)
      checks.push(fail('checksums-signature', 'the provenance records another checksums file'));
    else checks.push(pass('checksums-signature', `${SUPPLY_ASSETS.checksums} signed by a trusted key`));
  }

  checks.push(await sbomVerdict);

  await imageDone;
  checks.push(...imageChecks);
  await downloads.settled(); // no download outlives the verdict
  return report();
}

async function checkImage(
  input: VerifyInput,
  statement: Statement | null,
  readBundle: (name: string) => Promise<Bundle | string>,
  checks: CheckResult[],
): Promise<void> {
  const image = input.image as string;
  let repository: ReturnType<typeof repositoryOf>;
  try {
    repository = repositoryOf(image);
  } catch (err) {
    checks.push(fail('image', (err as Error).message));
    return;
  }
  const name = imageRepository(repository.ref);
  const from = input.rolledOutFrom ? ` (from ${input.rolledOutFrom})` : '';
  const signed = statement ? provenanceSubject(statement, name) : null;
  const bundle = await readBundle(SUPPLY_ASSETS.imageBundle);
  if (!signed) checks.push(fail('image-signature', `the provenance names no digest for ${name}`));
  else {
    const problem =
      typeof bundle === 'string' ? bundle : bundleProblem(bundle, input.keys, simpleSigningPayload(name, signed));
    checks.push(
      problem ? fail('image-signature', problem) : pass('image-signature', `${name}@${signed.slice(0, 19)}… signed`),
    );
  }
  if (!input.registry) {
    checks.push(fail('image', 'no registry configured to check the image'));
    return;
  }
  try {
    const found = await input.registry.resolve(repository.ref);
    if (!found) checks.push(fail('image', `${image} not found in the registry`));
    else if (signed && found.digest !== signed)
      checks.push(fail('image', `${image} is ${found.digest}, but ${signed} was signed`));
    else if (input.rolledOut && found.digest !== input.rolledOut)
      checks.push(fail('image', `${image} is ${found.digest}, but ${input.rolledOut} was rolled out${from}`));
    else {
      const held = await readImageAttachments(input.registry, repository, found.digest);
      const missing = [
        held.signature ? null : cosignTag(found.digest, 'sig'),
        held.attestation ? null : cosignTag(found.digest, 'att'),
        held.sbom ? null : cosignTag(found.digest, 'sbom'),
      ].filter(Boolean);
      checks.push(
        missing.length
          ? fail('image', `registry lacks ${missing.join(', ')}`)
          : pass('image', `${image} is ${found.digest}${input.rolledOut ? `, the rolled-out digest${from}` : ''}`),
      );
    }
  } catch (err) {
    checks.push(fail('image', (err as Error).message));
  }
}

/** The checklist as a person reads it. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = [`${report.repo} ${report.tag}`];
  for (const c of report.checks) lines.push(`  ${c.ok ? '✔' : '✖'} ${c.check.padEnd(20)} ${c.detail}`);
  lines.push(report.ok ? 'verified' : `NOT verified: ${report.checks.filter((c) => !c.ok).length} check(s) failed`);
  return `${lines.join('\n')}\n`;
}
