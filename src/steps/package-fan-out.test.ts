import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/defaults.js';
import { parseConfig } from '../config/load-config.js';
import type { JsonObject, StepContext } from '../workflow/types.js';
import { packageFanOutStep } from './package-fan-out.js';
import type { ReleaseDeps } from './release-deps.js';
import { releaseFlow } from './release-flow.js';
import { configPatch } from './repo-config.js';

const HEAD = 'a'.repeat(40);
const task = (config: JsonObject, extra: JsonObject = {}): JsonObject => ({
  repo: { owner: 'acme', name: 'mono' },
  config,
  release: { head: HEAD, branch: 'main', channel: null },
  ...extra,
});

function context(data: JsonObject): StepContext<ReleaseDeps> {
  return {
    taskId: 't1',
    kind: 'release',
    key: 'acme/mono',
    data,
    log: () => {},
    signal: new AbortController().signal,
    now: () => new Date('2026-01-01T00:00:00Z'),
    // The step reads and writes nothing on GitHub: the children it makes do.
    deps: {} as ReleaseDeps,
    attempt: 1,
    maxAttempts: 1,
    listChildren: async () => [],
  };
}

describe('the package fan-out', () => {
  it('is never selected for a repository without packages', () => {
    const data = task(configPatch({ config: defaultConfig(), source: null }));
    expect(data['config']).not.toHaveProperty('packages');
    expect(releaseFlow.select(data)?.name).toBe('latest-tag');
  });

  it('makes one release task per package with its tag format, path and the same head', async () => {
    const config = await parseConfig(
      'packages:\n  - { name: api, path: packages/api, exclude: [docs] }\n  - { name: web, path: packages/web, tagFormat: "web-v{version}" }\n',
      '.cutter.yml',
    );
    const data = task(configPatch({ config, source: '.cutter.yml' }), { trigger: 'push by @octocat' });
    expect(releaseFlow.select(data)?.name).toBe('package-fan-out');
    const out = await packageFanOutStep.run(context(data));
    expect(out.complete).toBe(true);
    expect(out.patch).toEqual({ skipped: { reason: 'fanned out to 2 packages', details: ['api', 'web'] } });
    const children = out.children ?? [];
    expect(children.map((c) => [c.key, c.dedupeKey])).toEqual([
      ['acme/mono', 'packages:t1:api'],
      ['acme/mono', 'packages:t1:web'],
    ]);
    const [api, web] = children.map((c) => c.data as JsonObject);
    expect(api).toMatchObject({
      trigger: 'push by @octocat',
      package: { name: 'api', path: 'packages/api', exclude: ['docs'] },
      config: { package: 'api', tagFormat: '{package}@{version}' },
      release: { head: HEAD, branch: 'main', channel: null },
    });
    expect(web).toMatchObject({
      package: { name: 'web', tagFormat: 'web-v{version}' },
      config: { tagFormat: 'web-v{version}' },
    });
    // A package task goes on to its own latest tag, never back to the fan-out.
    expect(releaseFlow.select(api)?.name).toBe('latest-tag');
  });

  it('drops an empty package list kept by older task data and releases the repository as one', async () => {
    const data = task({ ...configPatch({ config: defaultConfig(), source: null }), packages: [] });
    expect(releaseFlow.select(data)?.name).toBe('package-fan-out');
    const out = await packageFanOutStep.run(context(data));
    expect(out).toEqual({ patch: { config: { packages: null } } });
  });
});
