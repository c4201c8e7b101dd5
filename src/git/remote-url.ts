// Turns a git remote URL into the public https link of the repository, without credentials.

/**
 * `git@github.com:acme/x.git`, `ssh://git@github.com/acme/x`, `https://user:token@github.com/acme/x.git`
 * → `https://github.com/acme/x`. Returns null for local paths and URLs it cannot read.
 * Credentials are never carried over: the result is built from host and path only.
 */
export function webUrlFromRemote(remote: string): string | null {
  const url = remote.trim();
  if (url.length === 0) return null;
  let host: string;
  let path: string;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return null;
    }
    if (!['http:', 'https:', 'ssh:', 'git:', 'git+ssh:', 'ssh+git:'].includes(parsed.protocol)) return null;
    host = parsed.hostname;
    // An explicit port belongs to the transport (ssh on 2222…), not to the web link, except for http(s).
    if (parsed.port && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) host += `:${parsed.port}`;
    path = parsed.pathname;
  } else if (scp && !url.startsWith('/') && !url.startsWith('.')) {
    host = scp[1] ?? '';
    path = scp[2] ?? '';
  } else {
    return null;
  }
  const clean = path
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  const parts = clean.split('/').filter((p) => p.length > 0);
  if (host.length === 0 || parts.length < 2) return null;
  return `https://${host}/${parts.join('/')}`;
}
