// The web address of a repository from the API base URL a client talks to: github.com, GHES, GHE.com or a sandbox.

/**
 * `https://api.github.com` → `https://github.com`; GitHub Enterprise Server's `https://host/api/v3` →
 * `https://host`; GHE.com's `https://api.acme.ghe.com` → `https://acme.ghe.com`; anything else (a sandbox serving
 * pages at its root) is its own web address.
 */
export function githubWebBase(apiBaseUrl: string): string {
  const url = new URL(apiBaseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/api\/v3$/i.test(path)) return `${url.origin}${path.replace(/\/api\/v3$/i, '')}`;
  if (url.hostname.toLowerCase().startsWith('api.') && path === '') {
    return `${url.protocol}//${url.hostname.slice(4)}${url.port ? `:${url.port}` : ''}`;
  }
  return `${url.origin}${path}`;
}

/** `https://host/owner/name` for release notes links, on whichever GitHub the client is configured for. */
export function repoWebUrl(apiBaseUrl: string, repo: { owner: string; name: string }): string {
  return `${githubWebBase(apiBaseUrl)}/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}`;
}
