// Injected faults per route pattern (5xx, slow answers, dropped connections), drawn from a seeded PRNG.

export interface FaultRule {
  /** Matched against `METHOD /path/template` and the concrete path, e.g. `POST /repos/{owner}/{repo}/releases` or a regex. */
  route: string | RegExp;
  /** 0..1: share of matching requests that get the fault. */
  rate: number;
  kind: 'error' | 'slow' | 'drop';
  /** For `error`: the status (default 502). */
  status?: number;
  /** For `slow`: delay in real milliseconds (default 2000). */
  delayMs?: number;
  /** Stop after this many injected faults. */
  limit?: number;
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'error'; status: number }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'drop' };

/** mulberry32: tiny, fast and good enough to make fault sequences repeatable from a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function matches(rule: FaultRule, routeKey: string, path: string): boolean {
  if (rule.route instanceof RegExp) return rule.route.test(routeKey) || rule.route.test(path);
  if (rule.route === '*') return true;
  return (
    rule.route === routeKey ||
    rule.route === path ||
    (rule.route.endsWith('*') &&
      (routeKey.startsWith(rule.route.slice(0, -1)) || path.startsWith(rule.route.slice(0, -1))))
  );
}

export class FaultInjector {
  private rules: (FaultRule & { injected: number })[] = [];
  private random: () => number;

  constructor(
    private seed = 1,
    rules: FaultRule[] = [],
  ) {
    this.random = prng(seed);
    this.set(rules);
  }

  /** Replace the rules; the PRNG restarts from the seed so a run with the same requests sees the same faults. */
  set(rules: FaultRule[], seed = this.seed): void {
    this.seed = seed;
    this.random = prng(seed);
    this.rules = rules.map((r) => ({ ...r, injected: 0 }));
  }

  list(): FaultRule[] {
    return this.rules.map(({ injected: _i, ...r }) => r);
  }

  decide(routeKey: string, path: string): FaultDecision {
    for (const rule of this.rules) {
      if (!matches(rule, routeKey, path)) continue;
      if (rule.limit !== undefined && rule.injected >= rule.limit) continue;
      if (this.random() >= rule.rate) continue;
      rule.injected++;
      if (rule.kind === 'error') return { kind: 'error', status: rule.status ?? 502 };
      if (rule.kind === 'slow') return { kind: 'slow', delayMs: rule.delayMs ?? 2000 };
      return { kind: 'drop' };
    }
    return { kind: 'none' };
  }
}
