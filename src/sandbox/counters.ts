// Counts every request by route, kind (read/write), protocol (rest/graphql/git/admin/storage/web) and status, for benchmarks.

export interface CounterSnapshot {
  total: number;
  byProtocol: Record<string, number>;
  byKind: Record<string, number>;
  byStatus: Record<string, number>;
  byRoute: Record<string, number>;
  faults: Record<string, number>;
  rateLimited: { primary: number; secondary: number };
}

export class RequestCounters {
  private snap: CounterSnapshot = RequestCounters.empty();

  private static empty(): CounterSnapshot {
    return {
      total: 0,
      byProtocol: {},
      byKind: {},
      byStatus: {},
      byRoute: {},
      faults: {},
      rateLimited: { primary: 0, secondary: 0 },
    };
  }

  record(e: { protocol: string; kind: 'read' | 'write'; route: string; status: number }): void {
    const s = this.snap;
    s.total++;
    s.byProtocol[e.protocol] = (s.byProtocol[e.protocol] ?? 0) + 1;
    s.byKind[e.kind] = (s.byKind[e.kind] ?? 0) + 1;
    s.byStatus[String(e.status)] = (s.byStatus[String(e.status)] ?? 0) + 1;
    s.byRoute[e.route] = (s.byRoute[e.route] ?? 0) + 1;
  }

  fault(kind: string): void {
    this.snap.faults[kind] = (this.snap.faults[kind] ?? 0) + 1;
  }

  limited(kind: 'primary' | 'secondary'): void {
    this.snap.rateLimited[kind]++;
  }

  snapshot(): CounterSnapshot {
    return structuredClone(this.snap);
  }

  reset(): void {
    this.snap = RequestCounters.empty();
  }
}
