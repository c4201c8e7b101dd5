// Generates large, deterministic org specs (e.g. 1,000 connectors) for benchmarks, from a seeded PRNG.

import type { HistoryStep, OrgSpec, RepoSpec } from '../seed.js';

export interface GenerateOrgOptions {
  org: string;
  /** How many `connector-*` repositories. */
  connectors: number;
  /** How many other repositories (`service-*`). */
  others?: number;
  /** PRNG seed: the same seed always yields the same org. */
  seed?: number;
  /** Share of released connectors that get releasable commits after their latest tag (0..1, default 0.5). */
  pendingShare?: number;
}

/** mulberry32: tiny, fast and good enough to vary test data; never for anything secret. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const RELEASABLE = ['feat', 'fix', 'fix', 'fix', 'perf'] as const;
const NOISE = ['docs', 'chore', 'ci', 'test', 'style'] as const;

/** A deterministic org: every connector has a few tagged releases; about `pendingShare` have work since the last. */
export function generateOrg(options: GenerateOrgOptions): OrgSpec {
  const random = prng(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const pendingShare = options.pendingShare ?? 0.5;
  const width = String(options.connectors).length;
  const repos: RepoSpec[] = [];
  for (let n = 0; n < options.connectors; n++) {
    const name = `connector-${String(n).padStart(width, '0')}`;
    const history: HistoryStep[] = [{ commit: 'feat: initial import', files: { 'README.md': `# ${name}\n` } }];
    const major = random() < 0.2 ? 0 : 1;
    const minor = Math.floor(random() * 5);
    let patch = Math.floor(random() * 5);
    const releases = 1 + Math.floor(random() * 3);
    for (let r = 0; r < releases; r++) {
      history.push({ commit: `${pick(RELEASABLE)}: change ${r + 1} of ${name}` });
      if (r > 0) patch++;
      history.push({ tag: `v${major}.${minor}.${patch}`, annotated: random() < 0.5 });
    }
    if (random() < pendingShare) {
      const commits = 1 + Math.floor(random() * 4);
      for (let c = 0; c < commits; c++) history.push({ commit: `${pick(RELEASABLE)}: pending change ${c + 1}` });
    } else if (random() < 0.5) {
      history.push({ commit: `${pick(NOISE)}: housekeeping` });
    }
    repos.push({ name, topics: ['connector'], startDate: dateFor(n), history });
  }
  for (let n = 0; n < (options.others ?? 0); n++) {
    const name = `service-${String(n).padStart(3, '0')}`;
    repos.push({
      name,
      startDate: dateFor(n),
      history: [{ commit: 'feat: initial import', files: { 'README.md': `# ${name}\n` } }, { tag: 'v1.0.0' }],
    });
  }
  return { org: options.org, repos };
}

/** Spread start dates over 2024 so created_at/pushed_at differ between repos but stay reproducible. */
function dateFor(n: number): string {
  return new Date(Date.UTC(2024, 0, 1) + (n % 300) * 86_400_000).toISOString();
}
