// Reading request bodies and query parameters the way GitHub validates them ("Invalid request. …" 422s).

import { HttpError, unprocessable } from './rest-errors.js';

export type Body = Record<string, unknown>;

export function objectBody(body: unknown): Body {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw unprocessable("Invalid request.\n\nFor 'properties', the body is not an object.");
  return body as Body;
}

export function reqString(b: Body, key: string): string {
  const v = b[key];
  if (v === undefined || v === null) throw unprocessable(`Invalid request.\n\n"${key}" wasn't supplied.`);
  if (typeof v !== 'string')
    throw unprocessable(`Invalid request.\n\nFor 'properties/${key}', ${JSON.stringify(v)} is not a string.`);
  return v;
}

export function optString(b: Body, key: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw unprocessable(`Invalid request.\n\nFor 'properties/${key}', ${JSON.stringify(v)} is not a string.`);
  return v;
}

export function optBool(b: Body, key: string): boolean | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean')
    throw unprocessable(`Invalid request.\n\nFor 'properties/${key}', ${JSON.stringify(v)} is not a boolean.`);
  return v;
}

export function optStringArray(b: Body, key: string): string[] | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw unprocessable(
      `Invalid request.\n\nFor 'properties/${key}', ${JSON.stringify(v)} is not an array of strings.`,
    );
  }
  return v as string[];
}

export function isSha(v: string): boolean {
  return /^[0-9a-f]{40}$/.test(v);
}

export interface Page {
  page: number;
  perPage: number;
}

/** `per_page` (1..100, default 30) and `page` (from 1), GitHub's pagination parameters. */
export function pageParams(q: URLSearchParams, defaultPerPage = 30): Page {
  const perRaw = q.get('per_page');
  const pageRaw = q.get('page');
  let perPage = perRaw === null ? defaultPerPage : Number.parseInt(perRaw, 10);
  let page = pageRaw === null ? 1 : Number.parseInt(pageRaw, 10);
  if (!Number.isFinite(perPage) || perPage < 1) perPage = defaultPerPage;
  if (!Number.isFinite(page) || page < 1) page = 1;
  return { page, perPage: Math.min(perPage, 100) };
}

/** The `Link` header GitHub sends with paged lists. */
export function linkHeader(url: string, q: URLSearchParams, p: Page, total: number): string | undefined {
  const last = Math.max(1, Math.ceil(total / p.perPage));
  const at = (n: number) => {
    const params = new URLSearchParams(q);
    params.set('per_page', String(p.perPage));
    params.set('page', String(n));
    return `<${url}?${params.toString()}>`;
  };
  const parts: string[] = [];
  if (p.page > 1) parts.push(`${at(p.page - 1)}; rel="prev"`);
  if (p.page < last) parts.push(`${at(p.page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
  if (p.page > 1) parts.push(`${at(1)}; rel="first"`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** One page of a list, with its Link header. */
export function paged<T>(
  url: string,
  q: URLSearchParams,
  items: T[],
  defaultPerPage = 30,
): { body: T[]; headers: Record<string, string> } {
  const p = pageParams(q, defaultPerPage);
  const body = items.slice((p.page - 1) * p.perPage, p.page * p.perPage);
  const link = linkHeader(url, q, p, items.length);
  return { body, headers: link ? { link } : {} };
}

export { HttpError };
