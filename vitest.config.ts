import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most suites wait on git, HTTP and child processes rather than the CPU: vitest's default of (cores - 1) = 1
    // worker on a 2-core machine leaves the machine idle.
    poolOptions: { forks: { minForks: 1, maxForks: 3 } },
    reporters: ['default'],
  },
});
