// Secret redaction: the one function every logger, error path, API response and page goes through.

const registered = new Set<string>();

/** Secrets shorter than this are not registered: masking "a" everywhere would destroy every message. */
const MIN_SECRET_LENGTH = 6;

/** Register a secret value (a token, a webhook secret) so that it is masked wherever it appears. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= MIN_SECRET_LENGTH) registered.add(value);
}

/** Well-known token shapes masked even when nobody registered them. */
const TOKEN_PATTERNS: RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{16,}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, // Slack tokens
  /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g, // Slack incoming-webhook URLs are credentials
  /(authorization:\s*)(?:token|bearer|basic)\s+[^\s"',]+/gi,
  /(\/\/[^/\s:@]+:)[^@\s/]+@/g, // passwords in URLs: https://user:secret@host
];

export const REDACTED = '[REDACTED]';

/** Mask every registered secret and every well-known token shape in a string. */
export function redact(text: string): string {
  let out = text;
  for (const secret of registered) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of TOKEN_PATTERNS) {
    out = out.replace(pattern, (match, prefix: unknown) =>
      typeof prefix === 'string' && match.startsWith(prefix)
        ? `${prefix}${REDACTED}${match.endsWith('@') ? '@' : ''}`
        : REDACTED,
    );
  }
  return out;
}

const SECRET_KEYS =
  /^(token|secret|password|authorization|auth|apikey|api_key|private_key|privatekey|webhook_secret|cookie)$/i;

/** Deep-copy a JSON-like value with secrets masked: by key name (token, secret…) and by value. */
export function redactValue<T>(value: T): T {
  return walk(value, undefined) as T;
}

function walk(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && SECRET_KEYS.test(key) && value !== null && value !== undefined && value !== '')
    return REDACTED;
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, undefined));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, k);
    return out;
  }
  return value;
}

/** Test hook: forget registered secrets. */
export function clearSecrets(): void {
  registered.clear();
}
