// Checks every sandbox REST response against GitHub's official OpenAPI description (@octokit/openapi).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;

interface Spec {
  paths: Record<string, Record<string, Json>>;
  components: Json & { responses: Record<string, Json> };
}

const SPEC_ID = 'gh';

/**
 * GitHub's spec is OpenAPI 3.0 (`nullable: true`); turn it into plain JSON Schema that ajv understands:
 * `nullable` → a `null` alternative, document-local `$ref`s → refs into the registered spec, `oneOf` → `anyOf`.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const src = node as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'nullable' || k === 'example' || k === 'examples' || k.startsWith('x-')) continue;
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) out[k] = `${SPEC_ID}${v}`;
    // GitHub's oneOfs list open, overlapping shapes (basic-error vs rule-violation error): "one of" means "any of".
    else if (k === 'oneOf') out['anyOf'] = toJsonSchema(v);
    else out[k] = toJsonSchema(v);
  }
  if (src['nullable'] === true) {
    if (typeof out['type'] === 'string' && out['$ref'] === undefined) {
      out['type'] = [out['type'], 'null'];
      if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

let loaded: { spec: Spec; ajv: Ajv } | null = null;

function load(): { spec: Spec; ajv: Ajv } {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Spec;
  const spec = toJsonSchema(raw) as Spec;
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ $id: SPEC_ID, components: spec.components }, SPEC_ID);
  loaded = { spec, ajv };
  return loaded;
}

export interface Violation {
  method: string;
  route: string;
  status: number;
  errors: string[];
}

/** Lazily compiled validators, one per operation and status, shared by every sandbox in the process. */
const compiled = new Map<string, ValidateFunction | null>();

function responseSchema(spec: Spec, response: Json | undefined): Json | null {
  let r = response;
  for (let i = 0; r && typeof r['$ref'] === 'string' && i < 5; i++) {
    const name = (r['$ref'] as string).split('/').pop() ?? '';
    r = spec.components.responses[name];
  }
  const content = r?.['content'] as Record<string, { schema?: Json }> | undefined;
  if (!content) return null;
  const media = content['application/json'] ?? Object.values(content)[0];
  return media?.schema ?? null;
}

/**
 * Validate one response; returns a list of problems (empty when it conforms).
 * `route` is GitHub's path template, e.g. `/repos/{owner}/{repo}/git/refs`.
 */
export function validateResponse(method: string, route: string, status: number, body: unknown): string[] {
  const { spec, ajv } = load();
  const op = spec.paths[route]?.[method.toLowerCase()];
  if (!op) return [`${method} ${route} is not an operation in GitHub's OpenAPI description`];
  if (status === 304 || status === 204) return [];
  const responses = (op['responses'] ?? {}) as Record<string, Json>;
  const key = `${method} ${route} ${status}`;
  let validate = compiled.get(key);
  if (validate === undefined) {
    let schema = responseSchema(spec, responses[String(status)]);
    if (!schema && status >= 400) schema = { $ref: `${SPEC_ID}#/components/schemas/basic-error` };
    if (!schema && responses[String(status)] === undefined) {
      compiled.set(key, null);
      return [`status ${status} is not a documented response of ${method} ${route}`];
    }
    validate = schema ? ajv.compile(schema) : null;
    compiled.set(key, validate);
  }
  if (validate === null) {
    return responses[String(status)] === undefined
      ? [`status ${status} is not a documented response of ${method} ${route}`]
      : [];
  }
  if (validate(body)) return [];
  return (validate.errors ?? [])
    .slice(0, 10)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** Whether the spec has this operation (used to flag routes GitHub does not have). */
export function hasOperation(method: string, route: string): boolean {
  return load().spec.paths[route]?.[method.toLowerCase()] !== undefined;
}

/** The raw (3.0) spec, for tests that compare shapes. */
export function openApiOperations(): string[] {
  const { spec } = load();
  return Object.entries(spec.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
}
