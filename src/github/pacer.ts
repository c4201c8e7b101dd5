// The pacing contract every GitHub request goes through: ask before a request, hear about server back-off.

/** Decides when a request may go out, to stay under GitHub's secondary limits (≤80 writes/min, ≤500/h). */
export interface Pacer {
  /** Resolves when a request of this kind may start; call the returned function when it has finished. */
  acquire(kind: 'write' | 'read'): Promise<() => void>;
  /** GitHub asked us to back off (retry-after / secondary limit): a budget pacer holds new writes for `ms`. */
  noteRetryAfter(ms: number): void;
}

const release = (): void => {};

/** Lets every request through at once: the default for one repository at a time. */
export const passThroughPacer: Pacer = {
  acquire: async () => release,
  noteRetryAfter: () => {},
};
