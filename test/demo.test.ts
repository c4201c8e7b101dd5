// `cutter demo --once`: seeds the sandbox, runs the fleet, starts the server and exits 0 with a summary.

import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY_BINARY } from '../src/supply/local-registry.js';
import { ensureBuilt } from './support/ensure-built.js';
import { runCutter } from './support/run-cutter.js';

describe('cutter demo', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 900_000); // the build waits for a lock other test files may hold on a busy machine

  it('prints the plan, releases the acme connectors, starts the server and exits 0 with --once', async () => {
    const root = join(await mkdtemp(join(tmpdir(), 'cutter-demo-')), 'demo');
    const run = await runCutter(['demo', '--once', '--root', root]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/The plan \(dry run, nothing written\)/);
    expect(run.stdout).toMatch(/connector-stripe\s+planned\s+v3\.2\.1\s+2\s+patch\s+v3\.2\.2/);
    expect(run.stdout).toMatch(/connector-stripe\s+released\s+v3\.2\.1\s+2\s+patch\s+v3\.2\.2/);
    expect(run.stdout).toMatch(/connector-box\s+skipped.*archived/);
    expect(run.stdout).toMatch(/29 repositories, 25 selected: 17 released, 8 skipped, 0 failed/);
    expect(run.stdout).toMatch(/Cutter server\s+http:\/\/127\.0\.0\.1:\d+/);
    // With Debian's docker-registry, three connectors sign, pin by digest and verify; without it, a note says so.
    if (existsSync(REGISTRY_BINARY)) {
      for (const line of ['connector-postgres v1.2.4', 'connector-redis v1.10.0', 'connector-asana v0.9.4']) {
        expect(run.stdout).toContain(`✔ ${line} verified (8 checks), image 127.0.0.1:`);
      }
    } else {
      expect(run.stdout).toMatch(/Supply chain\s+skipped: .* is not installed/);
    }
  }, 600_000);
});
