// Matches request paths against GitHub's path templates (`/repos/{owner}/{repo}/git/refs/{ref}`).

import type { HttpError } from './rest-errors.js';

export type Kind = 'read' | 'write';

export interface RouteContext<S> {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  token: string;
  login: string;
  headers: Record<string, string | string[] | undefined>;
  sandbox: S;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Bytes sent as they are instead of JSON (release asset downloads). */
  raw?: { bytes: Buffer; contentType: string };
}

export interface RouteDef<S> {
  method: string;
  /** GitHub's template, also the key into the OpenAPI description. */
  template: string;
  /** The template to validate against when it differs (GitHub serves some paths the spec spells differently). */
  specTemplate?: string;
  /** Hand the handler the request body as a Buffer instead of parsed JSON (release asset uploads). */
  rawBody?: boolean;
  handler: (ctx: RouteContext<S>) => Promise<Reply>;
}

/** Parameters that may span slashes when they end the template (refs, file paths, compare ranges). */
const GREEDY = new Set(['ref', 'path', 'basehead']);

interface Compiled<S> {
  def: RouteDef<S>;
  re: RegExp;
  names: string[];
}

export class Router<S> {
  private readonly routes: Compiled<S>[] = [];

  add(defs: RouteDef<S>[]): void {
    for (const def of defs) {
      const names: string[] = [];
      const source = def.template
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(/\{(\w+)\}/g, (_m, name: string, offset: number, whole: string) => {
          names.push(name);
          const last = offset + name.length + 2 === whole.length;
          return last && GREEDY.has(name) ? '(.+)' : '([^/]+)';
        });
      this.routes.push({ def, re: new RegExp(`^${source}$`), names });
    }
    // A literal segment beats a parameter: more literal characters first, so /commits/{ref}/status wins over /commits/{ref}.
    this.routes.sort((a, b) => literalLength(b.def.template) - literalLength(a.def.template));
  }

  match(method: string, path: string): { def: RouteDef<S>; params: Record<string, string> } | null {
    for (const r of this.routes) {
      if (r.def.method !== method) continue;
      const m = r.re.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      let ok = true;
      r.names.forEach((n, i) => {
        try {
          params[n] = decodeURIComponent(m[i + 1] ?? '');
        } catch {
          ok = false;
        }
      });
      if (ok) return { def: r.def, params };
    }
    return null;
  }
}

function literalLength(template: string): number {
  return template.replace(/\{\w+\}/g, '').length;
}

export type { HttpError };
