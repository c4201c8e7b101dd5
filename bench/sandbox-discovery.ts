// Times the sandbox's GraphQL fleet discovery (the fleet's query) over a generated org, cold and warm caches.
// Run: node --import tsx bench/sandbox-discovery.ts [--repos=1000] [--root=DIR]

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOS_QUERY as QUERY } from '../src/github/discover-repos.js';
import { generateOrg } from '../src/sandbox/orgs/generated.js';
import { seedOrg } from '../src/sandbox/seed.js';
import { createSandbox } from '../src/sandbox/server.js';

const TOKEN = 'bench-token';

interface Page {
  data: { organization: { repositories: { nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } };
}

function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const repos = Number(arg('repos') ?? 1000);
  const root = arg('root') ?? (await mkdtemp(join(tmpdir(), 'sandbox-discovery-')));
  const org = 'bench';
  const seedStart = performance.now();
  const seeded = await seedOrg(root, generateOrg({ org, connectors: repos, others: 0, seed: 3 }), {
    onExisting: 'skip',
  });
  console.log(`seeded ${seeded.length} repos in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  // A new Sandbox over the same root starts with empty caches: that is "cold".
  const open = async () => {
    const sandbox = await createSandbox({ root, tokens: { [TOKEN]: { orgs: '*', login: 'bench-bot' } } });
    await sandbox.registerRepos(org, seeded);
    const { url } = await sandbox.listen();
    const page = async (after: string | null): Promise<Page> => {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERY, variables: { org, first: 50, after } }),
      });
      const body = (await res.json()) as Page & { errors?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 500));
      return body;
    };
    const all = async () => {
      let after: string | null = null;
      let n = 0;
      for (;;) {
        const p: Page = await page(after);
        n += p.data.organization.repositories.nodes.length;
        if (!p.data.organization.repositories.pageInfo.hasNextPage) return n;
        after = p.data.organization.repositories.pageInfo.endCursor;
      }
    };
    return { sandbox, page, all };
  };
  const time = async <T>(fn: () => Promise<T>) => {
    const t = performance.now();
    const value = await fn();
    return { ms: Math.round(performance.now() - t), value };
  };

  const a = await open();
  const coldPage = await time(() => a.page(null));
  const warmPage = await time(() => a.page(null));
  await a.sandbox.close();
  const b = await open();
  const coldAll = await time(() => b.all());
  const warmAll = await time(() => b.all());
  await b.sandbox.close();
  console.log(`50-repo page: cold ${coldPage.ms} ms, warm ${warmPage.ms} ms`);
  console.log(`${coldAll.value}-repo discovery (pages of 50): cold ${coldAll.ms} ms, warm ${warmAll.ms} ms`);
  if (!arg('root')) await rm(root, { recursive: true, force: true });
}

await main();
