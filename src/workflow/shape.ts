// Condition shapes (ALOMA's model): does a task's JSON data have the shape a step needs?

/** Type markers: the key must be present with this JavaScript type. */
export type ShapeType =
  | StringConstructor
  | NumberConstructor
  | BooleanConstructor
  | ObjectConstructor
  | ArrayConstructor;

/** `null` = absent or null; a constructor = present with that type; a literal = equal; an object = recurse. */
export type ShapeValue = null | string | number | boolean | ShapeType | Shape;

export interface Shape {
  [key: string]: ShapeValue;
}

const TYPE_NAMES = new Map<unknown, string>([
  [String, 'String'],
  [Number, 'Number'],
  [Boolean, 'Boolean'],
  [Object, 'Object'],
  [Array, 'Array'],
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matchesValue(value: unknown, expected: ShapeValue): boolean {
  if (expected === null) return value === null || value === undefined;
  if (expected === String) return typeof value === 'string';
  if (expected === Number) return typeof value === 'number' && Number.isFinite(value);
  if (expected === Boolean) return typeof value === 'boolean';
  if (expected === Array) return Array.isArray(value);
  if (expected === Object) return isPlainObject(value);
  if (typeof expected === 'object') return isPlainObject(value) && matchesShape(value, expected);
  return value === expected;
}

/** True when `data` has every key the shape asks for; keys the shape does not mention are free. */
export function matchesShape(data: unknown, shape: Shape): boolean {
  const record = isPlainObject(data) ? data : {};
  for (const [key, expected] of Object.entries(shape)) {
    const value = Object.hasOwn(record, key) ? record[key] : undefined;
    if (!matchesValue(value, expected)) return false;
  }
  return true;
}

/** Why a shape is not a valid shape (a function that is not a type marker, a symbol…), or null when it is. */
export function shapeProblem(shape: unknown, path = ''): string | null {
  if (!isPlainObject(shape)) return `${path || 'shape'} must be an object of conditions`;
  for (const [key, expected] of Object.entries(shape)) {
    const where = path ? `${path}.${key}` : key;
    if (expected === null || typeof expected === 'string' || typeof expected === 'boolean') continue;
    if (typeof expected === 'number' && Number.isFinite(expected)) continue;
    if (typeof expected === 'function' && TYPE_NAMES.has(expected)) continue;
    if (isPlainObject(expected)) {
      const inner = shapeProblem(expected, where);
      if (inner) return inner;
      continue;
    }
    return `${where} must be null, a literal, String/Number/Boolean/Object/Array or a nested shape`;
  }
  return null;
}

function describeValue(expected: ShapeValue): string {
  if (expected === null) return 'null';
  if (typeof expected === 'function') return TYPE_NAMES.get(expected) ?? 'unknown';
  if (typeof expected === 'object') {
    const inner = describeShape(expected);
    return inner ? `{ ${inner} }` : '{}';
  }
  return JSON.stringify(expected);
}

/** The shape as a reader writes it: `release: { next: String, tagged: null }` (logs, dashboard). */
export function describeShape(shape: Shape): string {
  return Object.entries(shape)
    .map(
      ([key, expected]) => `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}: ${describeValue(expected)}`,
    )
    .join(', ');
}

/** The part of `data` a shape talks about: a small, relevant input summary for a step's log entry. */
export function projectShape(data: unknown, shape: Shape): Record<string, unknown> {
  const record = isPlainObject(data) ? data : {};
  const out: Record<string, unknown> = {};
  for (const [key, expected] of Object.entries(shape)) {
    if (!Object.hasOwn(record, key)) continue;
    const value = record[key];
    out[key] = isPlainObject(expected) && isPlainObject(value) ? projectShape(value, expected) : value;
  }
  return out;
}
