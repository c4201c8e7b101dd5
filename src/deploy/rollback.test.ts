import { describe, expect, it } from 'vitest';
import { planRollback, type RolloutRecord } from './rollback.js';

const img = (v: string) => `ghcr.io/acme/connector-x:${v}`;
let clock = 0;
const rec = (
  v: string,
  kind: RolloutRecord['kind'] = 'rollout',
  ok = true,
  connectorId = 'connector-x',
): RolloutRecord => ({
  connectorId,
  image: img(v),
  version: v,
  kind,
  ok,
  at: new Date(Date.UTC(2026, 0, 1) + ++clock * 60_000).toISOString(),
});

describe('planRollback', () => {
  it('re-deploys the previous release', () => {
    const plan = planRollback([rec('1.0.0'), rec('1.1.0'), rec('1.2.0')], 'connector-x');
    expect(plan).toMatchObject({ kind: 'rollback', from: img('1.2.0'), to: img('1.1.0'), version: '1.1.0' });
  });

  it('walks further back on a second rollback instead of bouncing forward', () => {
    const history = [rec('1.0.0'), rec('1.1.0'), rec('1.2.0'), rec('1.1.0', 'rollback')];
    expect(planRollback(history, 'connector-x')).toMatchObject({
      kind: 'rollback',
      from: img('1.1.0'),
      to: img('1.0.0'),
    });
  });

  it('ignores failed roll-outs and other connectors', () => {
    const history = [
      rec('1.0.0'),
      rec('1.1.0'),
      rec('9.9.9', 'rollout', true, 'connector-y'),
      rec('1.2.0', 'rollout', false),
    ];
    expect(planRollback(history, 'connector-x')).toMatchObject({ from: img('1.1.0'), to: img('1.0.0') });
  });

  it('trusts what the target reports over the records', () => {
    const history = [rec('1.0.0'), rec('1.1.0'), rec('1.2.0', 'rollout', false)];
    const plan = planRollback(history, 'connector-x', { current: img('1.2.0') });
    expect(plan).toMatchObject({ kind: 'rollback', from: img('1.2.0'), to: img('1.1.0') });
    expect(plan.reason).toMatch(/not a recorded release/);
  });

  it('orders records by time, not by input order', () => {
    const [a, b, c] = [rec('1.0.0'), rec('1.1.0'), rec('1.2.0')];
    expect(planRollback([c!, a!, b!], 'connector-x')).toMatchObject({ from: img('1.2.0'), to: img('1.1.0') });
  });

  it('says there is nothing to roll back to with a single release or none', () => {
    expect(planRollback([rec('1.0.0')], 'connector-x')).toMatchObject({ kind: 'nothing' });
    expect(planRollback([], 'connector-x')).toMatchObject({
      kind: 'nothing',
      from: null,
      reason: expect.stringMatching(/no successful roll-out/),
    });
  });

  it('skips a re-released identical image', () => {
    expect(planRollback([rec('1.0.0'), rec('1.1.0'), rec('1.1.0')], 'connector-x')).toMatchObject({ to: img('1.0.0') });
  });
});
