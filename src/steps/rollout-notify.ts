// Step "notify": tell the repository's channels the image is out, threaded under the release message; no-ops tell nobody.

import type { Step } from '../workflow/types.js';
import { rolloutMessage, tellChannels } from './rollout-context.js';
import { buildOf } from './rollout-data.js';
import type { RolloutDeps } from './rollout-deps.js';

export const rolloutNotifyStep: Step<RolloutDeps> = {
  name: 'notify',
  when: { confirmed: Object, notified: null },
  effect: 'idempotent',
  async run(ctx) {
    const data = buildOf(ctx.data);
    const rollout = data.rollout;
    if (!rollout || rollout.outcome === 'unchanged' || rollout.outcome === 'dry-run') {
      ctx.log(`${rollout?.outcome ?? 'no roll-out'}: nobody to tell`);
      return { complete: true, patch: { notified: [] } };
    }
    const status = [
      data.build.rollback ? 'rollback' : '',
      rollout.outcome === 'pending' ? `pending${rollout.url ? `: ${rollout.url}` : ''}` : '',
      rollout.status !== undefined ? String(rollout.status) : '',
      rollout.healthy ? 'healthy' : '',
    ]
      .filter(Boolean)
      .join(' ');
    const notified = await tellChannels(
      ctx,
      {
        ...rolloutMessage(data),
        kind: 'rolled-out',
        ...(status ? { status } : {}),
        ...(rollout.url ? { url: rollout.url } : {}),
      },
      true,
    );
    ctx.log(
      notified.length === 0
        ? 'no notification channels configured'
        : notified.map((n) => `${n.channel}: ${n.ok ? 'ok' : n.error}`).join('; '),
    );
    return { complete: true, patch: { notified } };
  },
};
