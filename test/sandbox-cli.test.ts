import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandboxCommand } from '../src/cli/commands/sandbox.js';
import type { Sandbox } from '../src/sandbox/server.js';

describe('cutter sandbox', () => {
  let sandbox: Sandbox | undefined;
  let root = '';
  afterAll(async () => {
    await sandbox?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('starts a seeded sandbox and prints the URL, the token and a clone URL', async () => {
    const started = await startSandboxCommand({
      port: '0',
      host: '127.0.0.1',
      org: 'acme',
      connectors: '3',
      token: 'cli-token-123456',
      adminToken: 'cli-admin-123456',
      clockScale: '1',
      seed: '1',
    });
    sandbox = started.sandbox;
    root = started.sandbox.opts.root;
    const text = started.lines.join('\n');
    expect(text).toContain(sandbox.url);
    expect(text).toContain('cli-token-123456');
    expect(text).toMatch(
      /git clone http:\/\/x-access-token:cli-token-123456@127\.0\.0\.1:\d+\/acme\/connector-\d\.git/,
    );
    const res = await fetch(`${sandbox.url}/orgs/acme/repos?per_page=100`, {
      headers: { authorization: 'token cli-token-123456' },
    });
    const repos = (await res.json()) as { name: string }[];
    expect(repos.filter((r) => r.name.startsWith('connector-')).length).toBe(3);
  });

  it('seeds the hand-written acme demo org by default', async () => {
    const started = await startSandboxCommand({
      port: '0',
      host: '127.0.0.1',
      org: 'acme',
      token: 'cli-token-654321',
      adminToken: 'cli-admin-654321',
      clockScale: '60',
      seed: '1',
    });
    try {
      const res = await fetch(`${started.sandbox.url}/orgs/acme/repos?per_page=100`, {
        headers: { authorization: 'token cli-token-654321' },
      });
      const repos = (await res.json()) as { name: string }[];
      expect(repos.filter((r) => r.name.startsWith('connector-')).length).toBe(25);
    } finally {
      await started.sandbox.close();
      await rm(started.sandbox.opts.root, { recursive: true, force: true });
    }
  });

  it('takes the limits, the other repositories and response validation from its options', async () => {
    const started = await startSandboxCommand({
      port: '0',
      host: '127.0.0.1',
      org: 'bench',
      connectors: '2',
      others: '0',
      token: 'cli-token-limits',
      adminToken: 'cli-admin-limits',
      clockScale: '10',
      seed: '7',
      writesPerMinute: '40',
      writesPerHour: '4800',
      rateLimit: '1000000',
      validate: true,
    });
    try {
      const s = started.sandbox;
      expect(s.limits.opts).toMatchObject({
        writesPerMinute: 40,
        writesPerHour: 4800,
        core: 1_000_000,
        graphql: 1_000_000,
      });
      expect(s.opts.validateResponses).toBe(true);
      const res = await fetch(`${s.url}/orgs/bench/repos?per_page=100`, {
        headers: { authorization: 'token cli-token-limits' },
      });
      expect(res.headers.get('x-ratelimit-limit')).toBe('1000000');
      const repos = (await res.json()) as { name: string }[];
      expect(repos.map((r) => r.name).sort()).toEqual(['connector-0', 'connector-1']);
      expect(s.violations).toEqual([]);
    } finally {
      await started.sandbox.close();
      await rm(started.sandbox.opts.root, { recursive: true, force: true });
    }
  });

  it('keeps GitHub limits and three other repositories when not told otherwise', async () => {
    const started = await startSandboxCommand({
      port: '0',
      host: '127.0.0.1',
      org: 'bench',
      connectors: '1',
      token: 'cli-token-default',
      adminToken: 'cli-admin-default',
      clockScale: '1',
      seed: '1',
    });
    try {
      expect(started.sandbox.limits.opts).toMatchObject({ writesPerMinute: 80, writesPerHour: 500, core: 5000 });
      expect(started.sandbox.opts.validateResponses).toBeUndefined();
      expect(started.sandbox.listRepoInfos('bench').length).toBe(4);
    } finally {
      await started.sandbox.close();
      await rm(started.sandbox.opts.root, { recursive: true, force: true });
    }
  });

  it('refuses a write limit that is not a whole number', async () => {
    await expect(
      startSandboxCommand({
        port: '0',
        host: '127.0.0.1',
        org: 'acme',
        connectors: '1',
        token: 't',
        adminToken: 'a',
        clockScale: '1',
        seed: '1',
        writesPerHour: 'lots',
      }),
    ).rejects.toThrow(/--writes-per-hour must be a whole number/);
  });

  it('refuses a port that is not a number', async () => {
    await expect(
      startSandboxCommand({
        port: 'abc',
        host: '127.0.0.1',
        org: 'acme',
        connectors: '1',
        token: 't',
        adminToken: 'a',
        clockScale: '1',
        seed: '1',
      }),
    ).rejects.toThrow(/--port/);
  });
});
