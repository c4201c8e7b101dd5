// GitHub's rate limits, per token: the primary hourly budget and the secondary limits on writes and concurrency.

import type { SandboxClock } from './clock.js';

export interface LimitOptions {
  /** Primary REST budget per token per hour (GitHub: 5000). */
  core?: number;
  /** Primary GraphQL points per token per hour (GitHub: 5000). */
  graphql?: number;
  /** Content-creating requests (POST/PATCH/PUT/DELETE) per minute (GitHub: 80). */
  writesPerMinute?: number;
  /** Content-creating requests per hour (GitHub: 500). */
  writesPerHour?: number;
  /** Concurrent requests per token (GitHub: 100). */
  concurrent?: number;
  /** GitHub answers secondary limits with 403 or 429; pick which this sandbox uses. */
  secondaryStatus?: 403 | 429;
}

export interface PrimaryState {
  resource: 'core' | 'graphql';
  limit: number;
  remaining: number;
  used: number;
  /** Simulated epoch ms when the window resets. */
  resetSim: number;
  /** Real epoch seconds when the window resets: what clients must see to wait the right time. */
  resetReal: number;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;

interface Budget {
  windowStart: number;
  used: number;
}

export type LimitVerdict =
  | { ok: true }
  | { ok: false; kind: 'primary' | 'secondary'; retryAfterSeconds: number; status: 403 | 429 };

export class RateLimits {
  readonly opts: Required<LimitOptions>;
  private readonly budgets = new Map<string, Budget>();
  private readonly writes = new Map<string, number[]>();
  private readonly inflight = new Map<string, number>();

  constructor(
    private readonly clock: SandboxClock,
    opts: LimitOptions = {},
  ) {
    this.opts = {
      core: opts.core ?? 5000,
      graphql: opts.graphql ?? 5000,
      writesPerMinute: opts.writesPerMinute ?? 80,
      writesPerHour: opts.writesPerHour ?? 500,
      concurrent: opts.concurrent ?? 100,
      secondaryStatus: opts.secondaryStatus ?? 403,
    };
  }

  private budget(token: string, resource: 'core' | 'graphql'): Budget {
    const key = `${resource}\0${token}`;
    const now = this.clock.now();
    let b = this.budgets.get(key);
    if (!b || now - b.windowStart >= HOUR) {
      b = { windowStart: now, used: 0 };
      this.budgets.set(key, b);
    }
    return b;
  }

  primary(token: string, resource: 'core' | 'graphql'): PrimaryState {
    const b = this.budget(token, resource);
    const limit = resource === 'core' ? this.opts.core : this.opts.graphql;
    const resetSim = b.windowStart + HOUR;
    const resetReal = Math.ceil((Date.now() + this.clock.realMs(resetSim - this.clock.now())) / 1000);
    return { resource, limit, used: b.used, remaining: Math.max(0, limit - b.used), resetSim, resetReal };
  }

  /** Spend primary budget; false when the budget is already exhausted (nothing is spent then). */
  spend(token: string, resource: 'core' | 'graphql', cost = 1): boolean {
    const b = this.budget(token, resource);
    const limit = resource === 'core' ? this.opts.core : this.opts.graphql;
    if (b.used + cost > limit) return false;
    b.used += cost;
    return true;
  }

  /** Check the secondary limits for one request and, when admitted, count it as in flight. */
  admit(token: string, write: boolean): LimitVerdict {
    const now = this.clock.now();
    const status = this.opts.secondaryStatus;
    if ((this.inflight.get(token) ?? 0) >= this.opts.concurrent) {
      return { ok: false, kind: 'secondary', retryAfterSeconds: this.realSeconds(1000), status };
    }
    if (write) {
      const times = (this.writes.get(token) ?? []).filter((t) => now - t < HOUR);
      this.writes.set(token, times);
      const lastMinute = times.filter((t) => now - t < MINUTE);
      if (lastMinute.length >= this.opts.writesPerMinute) {
        return {
          ok: false,
          kind: 'secondary',
          retryAfterSeconds: this.realSeconds(MINUTE - (now - (lastMinute[0] ?? now))),
          status,
        };
      }
      if (times.length >= this.opts.writesPerHour) {
        return {
          ok: false,
          kind: 'secondary',
          retryAfterSeconds: this.realSeconds(HOUR - (now - (times[0] ?? now))),
          status,
        };
      }
      times.push(now);
    }
    this.inflight.set(token, (this.inflight.get(token) ?? 0) + 1);
    return { ok: true };
  }

  release(token: string): void {
    this.inflight.set(token, Math.max(0, (this.inflight.get(token) ?? 1) - 1));
  }

  private realSeconds(simMs: number): number {
    return Math.max(1, Math.ceil(this.clock.realMs(simMs) / 1000));
  }
}
