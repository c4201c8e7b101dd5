// Turns what Octokit throws into a CutterError: a status, transient or permanent, a redacted one-line message.

import { CutterError, type CutterErrorCode, isCutterError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { retryAfterMs } from '../workflow/transient.js';

interface OctokitErrorLike {
  status?: unknown;
  message?: unknown;
  name?: unknown;
  response?: { headers?: Record<string, unknown>; data?: unknown };
}

/** What a caller may branch on after a GitHub call failed. */
export interface GitHubErrorDetails {
  status: number;
  method: string;
  /** The route template, e.g. `/repos/{owner}/{repo}/git/refs` (never a token). */
  route: string;
  retryAfterMs?: number;
  /** The `errors[].code` values of a 422 (`already_exists`…). */
  errorCodes: string[];
}

function errorCodes(data: unknown): string[] {
  if (!data || typeof data !== 'object') return [];
  const errors = (data as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .map((e) => (e && typeof e === 'object' ? (e as { code?: unknown }).code : undefined))
    .filter((c): c is string => typeof c === 'string');
}

function isSecondaryLimit(status: number, message: string, headers: Record<string, unknown>): boolean {
  if (status !== 403 && status !== 429) return false;
  return (
    /secondary rate limit|abuse/i.test(message) ||
    headers['retry-after'] !== undefined ||
    String(headers['x-ratelimit-remaining']) === '0'
  );
}

/**
 * 5xx, 429, secondary and primary rate limits and network failures are transient (retry later, honouring
 * `retry-after`); other 4xx are permanent: the same request would get the same answer.
 */
export function toCutterError(err: unknown, method: string, route: string): CutterError {
  if (isCutterError(err)) return err;
  const e = (err ?? {}) as OctokitErrorLike;
  const status = typeof e.status === 'number' ? e.status : 0;
  const headers = e.response?.headers ?? {};
  const rawMessage = typeof e.message === 'string' ? e.message : String(err);
  const message = redact(rawMessage.split('\n')[0] ?? rawMessage).slice(0, 300);
  const waitMs = retryAfterMs(err);
  const limited = isSecondaryLimit(status, rawMessage, headers);
  const transient = status === 0 || status >= 500 || status === 429 || limited;
  let code: CutterErrorCode = 'CUTTER_GITHUB_ERROR';
  if (status === 401) code = 'CUTTER_GITHUB_AUTH';
  else if (status === 404) code = 'CUTTER_NOT_FOUND';
  const details: GitHubErrorDetails = {
    status,
    method,
    route,
    ...(waitMs !== null ? { retryAfterMs: waitMs } : {}),
    errorCodes: errorCodes(e.response?.data),
  };
  const hint =
    status === 401
      ? 'check GITHUB_TOKEN / CUTTER_GITHUB_TOKEN (or the GitHub App credentials)'
      : status === 403 && !limited
        ? 'the token lacks a permission this call needs (contents: write for tags and releases)'
        : limited
          ? 'GitHub asked us to slow down; the step is retried after the wait it asked for'
          : undefined;
  return new CutterError(code, `GitHub ${method} ${route} → ${status || 'no answer'}: ${message}`, {
    transient,
    details: details as unknown as Record<string, unknown>,
    ...(hint ? { hint } : {}),
  });
}

/** The HTTP status of a failed GitHub call (0 = no answer), or null when `err` did not come from GitHub. */
export function githubStatus(err: unknown): number | null {
  if (!isCutterError(err) || !err.details) return null;
  const status = (err.details as Partial<GitHubErrorDetails>).status;
  return typeof status === 'number' ? status : null;
}

/** The `errors[].code` values GitHub gave with a 422 (`already_exists`…). */
export function githubErrorCodes(err: unknown): string[] {
  if (!isCutterError(err) || !err.details) return [];
  const codes = (err.details as Partial<GitHubErrorDetails>).errorCodes;
  return Array.isArray(codes) ? codes : [];
}
