// Counts into a plain record keyed by text from outside (a commit's type), reading own keys only.

/**
 * Adds one to `counts[key]`. Only own keys are read: a commit typed `constructor` would otherwise find
 * `Object.prototype.constructor` there and count `"function Object() { [native code] }1"`.
 */
export function countByKey(counts: Record<string, number>, key: string): void {
  counts[key] = (Object.hasOwn(counts, key) ? counts[key]! : 0) + 1;
}
