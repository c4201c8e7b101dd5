// Numeric `--name=value` options of a benchmark, falling back to a default when absent or out of range.

function numberOption(args: readonly string[], name: string): number | undefined {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return raw === undefined ? undefined : Number(raw);
}

/** `--name=N` for N > 0, else `fallback`. */
export function positiveOption(args: readonly string[], name: string, fallback: number): number {
  const value = numberOption(args, name) ?? fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** `--name=N` for N ≥ 0 (0 turns something off), else `fallback`. */
export function nonNegativeOption(args: readonly string[], name: string, fallback: number): number {
  const value = numberOption(args, name) ?? fallback;
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}
