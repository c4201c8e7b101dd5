// The benchmark's webhook deliveries: signed tag pushes with unique delivery ids, which serve stores and then skips.
import { createHmac, randomUUID } from 'node:crypto';

export const BENCH_WEBHOOK_SECRET = 'bench-webhook-secret';

/** One signed tag-push delivery per request: stored with its task, which the real flow then skips without API calls. */
export function signedTagPush(secret = BENCH_WEBHOOK_SECRET): { headers: Record<string, string>; body: string } {
  const sha = randomUUID().replace(/-/g, '').padEnd(40, 'a').slice(0, 40);
  const body = JSON.stringify({
    ref: `refs/tags/bench-${sha.slice(0, 8)}`,
    before: '0'.repeat(40),
    after: sha,
    created: true,
    deleted: false,
    repository: { id: 1, name: 'connector-bench', full_name: 'acme/connector-bench', owner: { login: 'acme' } },
    pusher: { name: 'bench', email: 'bench@acme.example' },
    sender: { login: 'bench', type: 'User' },
    commits: [],
    head_commit: { id: sha, message: 'chore: bench', author: { name: 'Bench', email: 'bench@acme.example' } },
  });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
  };
}
