// The sandbox's clock: real time sped up by a scale factor, so benchmarks can live an hour in a minute.

export interface SandboxClock {
  /** Simulated milliseconds since the epoch. */
  now(): number;
  /** Real milliseconds for a simulated duration. */
  realMs(simulatedMs: number): number;
  readonly scale: number;
}

export function scaledClock(scale = 1, realNow: () => number = Date.now): SandboxClock {
  const origin = realNow();
  return {
    scale,
    now: () => origin + (realNow() - origin) * scale,
    realMs: (ms) => ms / scale,
  };
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
