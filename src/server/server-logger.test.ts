import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { INFO_FLUSH_MS, lineLogger } from './server-logger.js';

const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info {2}|warn {2}|error )/;

describe('lineLogger', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the info lines logged within the flush interval in one write, each with its own timestamp', () => {
    vi.useFakeTimers({ now: new Date('2026-01-02T03:04:05.000Z') });
    const writes: string[] = [];
    const log = lineLogger((text) => writes.push(text));
    log.info('webhook push d1 → task t1');
    vi.advanceTimersByTime(7);
    log.info('task t1 (acme/x) done');
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(INFO_FLUSH_MS);
    expect(writes).toEqual([
      '2026-01-02T03:04:05.000Z info  webhook push d1 → task t1\n2026-01-02T03:04:05.007Z info  task t1 (acme/x) done\n',
    ]);
    log.info('later');
    vi.advanceTimersByTime(INFO_FLUSH_MS);
    expect(writes).toHaveLength(2);
  });

  it('writes a warning or an error at once, after the info lines logged before it', () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const log = lineLogger((text) => writes.push(text));
    log.info('first');
    log.warn('second');
    log.error('third');
    expect(writes.join('').split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/ info {2}first$/),
      expect.stringMatching(/ warn {2}second$/),
      expect.stringMatching(/ error third$/),
    ]);
    for (const line of writes.join('').split('\n').filter(Boolean)) expect(line).toMatch(LINE);
    vi.advanceTimersByTime(INFO_FLUSH_MS);
    expect(writes).toHaveLength(3);
  });

  it('writes the buffer on flush() and loses nothing to a burst larger than the buffer', () => {
    vi.useFakeTimers();
    let text = '';
    const log = lineLogger((t) => {
      text += t;
    });
    for (let i = 0; i < 2000; i++) log.info(`delivery ${i} ${'x'.repeat(40)}`);
    log.flush();
    const lines = text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2000);
    expect(lines.at(-1)).toContain('delivery 1999 ');
  });

  it('writes the buffered info lines when the process exits', () => {
    const module = new URL('./server-logger.ts', import.meta.url).href;
    const code = `const { stderrLogger } = await import(${JSON.stringify(module)}); stderrLogger.info('last words'); process.exitCode = 3;`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(3);
    expect(run.stderr).toMatch(/ info {2}last words\n$/);
  });
});
