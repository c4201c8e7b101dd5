// Test support for fleet runs: a 60-repo org (40 connectors in every state, 20 others) and its hand-derived outcome.

import { ACME_EXPECTED, ACME_ORG } from '../src/sandbox/orgs/acme.js';
import type { HistoryStep, OrgSpec, RepoSpec } from '../src/sandbox/seed.js';

export interface FleetExpectation {
  repo: string;
  outcome: 'released' | 'skipped';
  /** For released: the tag created; for skipped: a word the reason contains. */
  nextTag: string | null;
  reason?: RegExp;
}

const c = (message: string): HistoryStep => ({ commit: message });
const t = (name: string, annotated = false): HistoryStep => ({ tag: name, annotated });

function connector(name: string, history: HistoryStep[]): RepoSpec {
  return {
    name,
    topics: ['connector'],
    history: [{ commit: 'feat: initial import', files: { 'README.md': `# ${name}\n` } }, ...history],
  };
}

/** ACME's 29 repos, 13 more connectors in four states, two legacy connectors to exclude, and 16 services. */
export function fleetOrg(): { spec: OrgSpec; expected: FleetExpectation[]; others: string[] } {
  const repos: RepoSpec[] = [...ACME_ORG.repos];
  const expected: FleetExpectation[] = [];
  for (const e of ACME_EXPECTED) {
    if (e.fleet === 'not-a-connector') continue;
    if (e.fleet === 'release') expected.push({ repo: e.repo, outcome: 'released', nextTag: e.nextTag });
    else {
      const reason = {
        'up-to-date': /is on the main head/,
        'no-releasable-commits': /no releasable commits/,
        archived: /archived/,
      }[e.fleet];
      expected.push({ repo: e.repo, outcome: 'skipped', nextTag: null, reason });
    }
  }
  for (let i = 0; i < 13; i++) {
    const name = `connector-extra-${String(i).padStart(2, '0')}`;
    switch (i % 4) {
      case 0: // a fix since v1.i.0 → v1.i.1
        repos.push(connector(name, [t(`v1.${i}.0`), c(`fix: extra ${i}`)]));
        expected.push({ repo: name, outcome: 'released', nextTag: `v1.${i}.1` });
        break;
      case 1: // a feat since v2.i.0 (annotated) → v2.(i+1).0
        repos.push(connector(name, [t(`v2.${i}.0`, true), c(`feat: extra ${i}`), c('docs: readme')]));
        expected.push({ repo: name, outcome: 'released', nextTag: `v2.${i + 1}.0` });
        break;
      case 2: // tagged on head
        repos.push(connector(name, [c('fix: before the tag'), t(`v1.${i}.0`, true)]));
        expected.push({ repo: name, outcome: 'skipped', nextTag: null, reason: /is on the main head/ });
        break;
      default: // only chores since v3.0.i
        repos.push(connector(name, [t(`v3.0.${i}`), c('chore: tidy'), c('ci: cache')]));
        expected.push({ repo: name, outcome: 'skipped', nextTag: null, reason: /no releasable commits/ });
    }
  }
  for (const name of ['connector-legacy-ftp', 'connector-legacy-soap']) {
    repos.push(connector(name, [t('v1.0.0'), c('fix: would be released if it were not excluded')]));
    expected.push({ repo: name, outcome: 'skipped', nextTag: null, reason: /excluded by !connector-legacy-\*/ });
  }
  const others = ACME_ORG.repos.filter((r) => !r.name.startsWith('connector-')).map((r) => r.name);
  for (let i = 0; i < 16; i++) {
    const name = `service-${String(i).padStart(2, '0')}`;
    repos.push({
      name,
      history: [{ commit: 'feat: init', files: { 'README.md': `# ${name}\n` } }, t('v1.0.0'), c('fix: pending')],
    });
    others.push(name);
  }
  return { spec: { org: 'acme', repos }, expected, others };
}
