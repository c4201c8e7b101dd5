// Task data updates: a step's patch is deep-merged into the data (null deletes a key, arrays replace).

export type JsonObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A new object: `patch` deep-merged into `data`; `data` is left untouched. */
export function applyPatch(data: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...data };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined) {
      delete out[key];
    } else if (isPlainObject(value)) {
      const current = out[key];
      out[key] = applyPatch(isPlainObject(current) ? current : {}, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** A deep copy frozen all the way down, so a step cannot change the data it was given behind our back. */
export function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Structural equality of two JSON values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJson(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    const otherKeys = Object.keys(b).filter((k) => b[k] !== undefined);
    if (keys.length !== otherKeys.length) return false;
    return keys.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}
