import { describe, expect, it } from 'vitest';
import { judgeRequiredChecks } from './required-checks.js';

const run = (id: number, name: string, status: string, conclusion: string | null = null) => ({
  id,
  name,
  status,
  conclusion,
});

describe('judgeRequiredChecks', () => {
  it('is green when every required context passed, as a status or a check run', () => {
    const v = judgeRequiredChecks(
      ['ci/build', 'test'],
      [{ context: 'ci/build', state: 'success' }],
      [run(1, 'test', 'completed', 'success')],
    );
    expect(v).toEqual({ state: 'green', failing: [], pending: [], passed: ['ci/build', 'test'] });
  });

  it('names the red check with what it reported', () => {
    const v = judgeRequiredChecks(
      ['ci/build', 'test'],
      [{ context: 'ci/build', state: 'error' }],
      [run(1, 'test', 'completed', 'timed_out')],
    );
    expect(v.state).toBe('red');
    expect(v.failing).toEqual(['ci/build (error)', 'test (timed_out)']);
  });

  it('waits for a running check and for a context nobody reported yet', () => {
    const v = judgeRequiredChecks(['lint', 'e2e'], [], [run(3, 'lint', 'in_progress')]);
    expect(v.state).toBe('pending');
    expect(v.pending).toEqual(['lint (in_progress)', 'e2e (not reported)']);
  });

  it('reads the newest re-run of a check, and ignores checks that are not required', () => {
    const v = judgeRequiredChecks(
      ['test'],
      [{ context: 'optional', state: 'failure' }],
      [run(9, 'test', 'completed', 'success'), run(4, 'test', 'completed', 'failure')],
    );
    expect(v.state).toBe('green');
  });

  it('red wins when a status and a check run of the same name disagree', () => {
    const v = judgeRequiredChecks(
      ['ci'],
      [{ context: 'ci', state: 'pending' }],
      [run(1, 'ci', 'completed', 'failure')],
    );
    expect(v.failing).toEqual(['ci (failure)']);
  });

  it('is green with nothing required', () => {
    expect(judgeRequiredChecks([], [], []).state).toBe('green');
  });
});
