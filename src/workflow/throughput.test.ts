import { describe, expect, it } from 'vitest';
import { measureThroughput } from './throughput.js';

describe('measureThroughput', () => {
  it('runs every measured task to the end and reports consistent figures', async () => {
    const figures = await measureThroughput({ tasks: 20, enqueues: 20 });
    expect(figures).toMatchObject({ synchronous: 'NORMAL', tasks: 20, steps: 60 });
    expect(figures.stepsPerSecond).toBeGreaterThan(0);
    expect(figures.enqueueP99Ms).toBeGreaterThanOrEqual(figures.enqueueP50Ms);
  });
});
