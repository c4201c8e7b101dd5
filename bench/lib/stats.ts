// Summary statistics for benchmark samples.

/** The median of a non-empty list (the mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The largest value, or null when there is none (a tool that reported no memory figure). */
export function maxOrNull(values: readonly (number | null | undefined)[]): number | null {
  let best: number | null = null;
  for (const value of values)
    if (typeof value === 'number' && Number.isFinite(value) && (best === null || value > best)) best = value;
  return best;
}

/** Round for display and JSON: enough digits to compare, no float noise. */
export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The nearest-rank `p`-th percentile (0–100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
