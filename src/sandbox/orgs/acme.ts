// The demo and test org `acme`: 25 connectors in every state a fleet release meets, a few other repos, and their expected outcome.

import type { HistoryStep, OrgSpec, RepoSpec } from '../seed.js';

const commit = (message: string, files?: Record<string, string | null>): HistoryStep =>
  files ? { commit: message, files } : { commit: message };
const tag = (name: string, annotated = false): HistoryStep => ({ tag: name, annotated });

function connectorFiles(name: string): Record<string, string> {
  return {
    'README.md': `# ${name}\n\nAn Acme connector.\n`,
    Dockerfile: 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nCMD ["node", "index.js"]\n',
    'index.js': `console.log('${name}');\n`,
  };
}

function connector(name: string, history: HistoryStep[], extra: Partial<RepoSpec> = {}): RepoSpec {
  return {
    name,
    description: `Acme ${name.slice('connector-'.length)} connector`,
    topics: ['connector'],
    history: [commit('feat: initial import', connectorFiles(name)), ...history],
    ...extra,
  };
}

const twilioMinors: HistoryStep[] = [];
for (let minor = 1; minor <= 10; minor++) {
  twilioMinors.push(commit(`feat: messaging capability ${minor}`), tag(`v1.${minor}.0`, minor % 2 === 0));
}

const snowflakeChores: HistoryStep[] = [];
for (let n = 1; n <= 149; n++) snowflakeChores.push(commit(`chore(fixtures): refresh sample ${n}`));

const MANIFEST = (name: string, version: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: connectors
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: ${name}
          image: ghcr.io/acme/${name}:${version} # bumped by Cutter
          ports:
            - containerPort: 8080
`;

export const ACME_ORG: OrgSpec = {
  org: 'acme',
  repos: [
    connector('connector-salesforce', [
      commit('feat(sync): incremental sync of accounts'),
      commit('fix(auth): refresh expired tokens'),
      commit('docs: usage'),
    ]),
    connector(
      'connector-stripe',
      [
        tag('v3.2.0'),
        commit(
          'fix(webhooks): verify signatures against the raw body\n\nStripe signs the raw payload; parsing it first broke verification.\n\nRefs: #41',
        ),
        tag('v3.2.1', true),
        commit('fix(payouts): round amounts in minor units'),
        commit('chore(deps): bump the stripe sdk'),
      ],
      { releases: [{ tag: 'v3.2.1', body: '### Bug Fixes\n\n* verify signatures against the raw body' }] },
    ),
    connector(
      'connector-hubspot',
      [tag('v1.0.0'), commit('feat: contacts'), tag('v1.1.0'), commit('feat: deals'), tag('v1.2.0')],
      { releases: [{ tag: 'v1.0.0' }, { tag: 'v1.1.0' }, { tag: 'v1.2.0' }] },
    ),
    connector('connector-zendesk', [tag('v2.0.0', true), commit('fix: ticket status mapping'), tag('v2.0.1', true)], {
      releases: [{ tag: 'v2.0.1' }],
    }),
    connector('connector-slack', [
      tag('v1.4.0'),
      commit('fix: thread replies'),
      tag('v1.4.1'),
      commit('fix: emoji in channel names'),
      tag('v1.4.2', true),
      commit('fix(retry): back off on 429'),
      commit('fix: handle channel renames'),
    ]),
    connector('connector-jira', [
      tag('v2.3.0'),
      commit('fix: sprint dates'),
      tag('v2.3.1'),
      commit('feat(issues): sync custom fields'),
      commit('fix: pagination off by one'),
      commit('test: cover custom fields'),
    ]),
    connector('connector-github', [
      tag('v1.7.0', true),
      commit('feat!: drop the REST v3 client\n\nUse the GraphQL client instead.'),
      commit('fix: typo in error message'),
    ]),
    connector('connector-gitlab', [
      tag('v3.1.4'),
      commit('fix(api): use keyset pagination\n\nBREAKING CHANGE: the `page` option is gone; use `cursor`.'),
    ]),
    connector('connector-notion', [
      tag('v0.4.0'),
      commit('fix: block children'),
      tag('v0.4.1'),
      commit('fix: rich text links'),
      tag('v0.4.2'),
      commit('feat(api)!: rename databases to data sources'),
      commit('feat: comments'),
    ]),
    connector('connector-airtable', [
      tag('v0.1.0'),
      commit('feat: records'),
      tag('v0.2.0'),
      commit('feat(bases): list bases'),
      commit('fix: honour the rate limit header'),
    ]),
    connector('connector-asana', [tag('v0.9.3'), commit('fix: task due dates in UTC')]),
    connector('connector-trello', [
      tag('v1.0.0'),
      commit('feat: cards'),
      tag('v1.1.0'),
      commit('fix: typo in card mapping [skip release]'),
      commit('feat: board labels\n\n[skip release]'),
    ]),
    connector('connector-shopify', [
      tag('v1.0.3'),
      commit('docs: install guide'),
      commit('chore: update editorconfig'),
      commit('ci: cache npm'),
      commit('test: orders fixtures'),
      commit('style: format'),
    ]),
    connector('connector-mailchimp', [
      tag('release-2020'),
      commit('feat: audiences'),
      tag('v1.3.0'),
      commit('fix(lists): merge fields with spaces'),
      tag('latest'),
    ]),
    connector('connector-twilio', [
      tag('v1.0.0'),
      ...twilioMinors,
      { branch: 'release-1.9', from: 'v1.9.0' },
      commit('fix(sms): count unicode segments'),
      tag('v1.9.1', true),
      { checkout: 'main' },
      commit('fix(voice): handle the busy signal'),
    ]),
    connector('connector-dropbox', [
      tag('v2.8.0'),
      commit('feat: paper docs'),
      tag('v2.9.0'),
      commit('feat: shared links'),
      tag('v2.10.0', true),
      { branch: 'release-2.9', from: 'v2.9.0' },
      commit('fix: backport token refresh'),
      tag('v2.9.1'),
      { checkout: 'main' },
    ]),
    connector('connector-box', [tag('v1.0.0'), commit('fix: upload chunk size')], { archived: true }),
    connector(
      'connector-okta',
      [
        tag('v1.4.0'),
        commit('feat: groups'),
        tag('v1.5.0'),
        commit('feat(auth)!: OIDC only\n\nBREAKING CHANGE: SAML support is removed.'),
        tag('v2.0.0-beta.1', true),
        commit('fix(oidc): tolerate clock skew'),
        tag('v2.0.0-beta.2', true),
        commit('fix(oidc): rotate refresh tokens'),
      ],
      {
        releases: [
          { tag: 'v1.5.0' },
          { tag: 'v2.0.0-beta.1', prerelease: true },
          { tag: 'v2.0.0-beta.2', prerelease: true },
        ],
      },
    ),
    connector('connector-postgres', [tag('v1.2.3'), commit('perf(copy): stream rows with COPY')]),
    connector('connector-mysql', [tag('v1.1.0'), commit('refactor: split the reader'), commit('build: node 20')]),
    connector('connector-s3', [
      tag('v1.0.0'),
      { branch: 'fix-multipart' },
      commit('fix(s3): multipart uploads over 5 GiB', { 'multipart.js': 'export const PART = 64 << 20;\n' }),
      { checkout: 'main' },
      {
        merge: 'fix-multipart',
        message: 'Merge pull request #12 from acme/fix-multipart\n\nfix(s3): multipart uploads',
      },
    ]),
    connector('connector-bigquery', [
      tag('v1.2.0'),
      commit('feat: partitioned tables [skip release]'),
      commit('fix: quote dataset names'),
    ]),
    connector('connector-snowflake', [tag('v4.2.0'), commit('feat(warehouse): auto-suspend'), ...snowflakeChores]),
    connector('connector-kafka', [tag('v2.1.0', true), tag('latest')]),
    connector('connector-redis', [tag('v1.9.0'), commit('feat(streams): consumer groups')]),
    {
      name: 'api-gateway',
      description: 'Acme public API gateway',
      history: [
        commit('feat: initial import', { 'README.md': '# api-gateway\n' }),
        tag('v2.0.0', true),
        commit('fix(routing): trailing slashes'),
      ],
    },
    {
      name: 'infra-manifests',
      description: 'Kubernetes manifests and Helm values; Cutter bumps connector images here (GitOps)',
      topics: ['gitops'],
      history: [
        commit('chore: bootstrap manifests', {
          'README.md': '# infra-manifests\n',
          'apps/connectors/connector-slack/deployment.yaml': MANIFEST('connector-slack', '1.4.2'),
          'apps/connectors/connector-jira/deployment.yaml': MANIFEST('connector-jira', '2.3.1'),
          'apps/connectors/connector-stripe/deployment.yaml': MANIFEST('connector-stripe', '3.2.1'),
          'charts/connectors/Chart.yaml':
            'apiVersion: v2\nname: connectors\ndescription: All Acme connectors\ntype: application\nversion: 0.7.0\nappVersion: "1.0.0"\n',
          'charts/connectors/values.yaml':
            '# Image tags per connector; Cutter rewrites the tag of the connector it released.\nconnectors:\n  hubspot:\n    image:\n      repository: ghcr.io/acme/connector-hubspot\n      tag: "1.2.0"\n  zendesk:\n    image:\n      repository: ghcr.io/acme/connector-zendesk\n      tag: "2.0.1"\n  postgres:\n    image:\n      repository: ghcr.io/acme/connector-postgres\n      tag: "1.2.3"\n',
        }),
      ],
    },
    {
      name: 'cutter-control',
      description: 'Org-wide Cutter configuration; a push here can start a fleet release',
      history: [
        commit('chore: cutter org config', {
          '.cutter.yml': 'fleet:\n  org: acme\n  pattern: connector-*\n',
        }),
      ],
    },
    {
      name: 'website',
      description: 'acme.example — released with t-prefixed tags',
      topics: ['site'],
      history: [
        commit('feat: initial site', { 'index.html': '<h1>Acme</h1>\n' }),
        tag('t1.3.0'),
        commit('feat: pricing page'),
        tag('t1.4.0', true),
        commit('feat(blog): RSS feed'),
        commit('fix: broken footer link'),
      ],
    },
  ],
};

export type AcmeFleetOutcome = 'release' | 'up-to-date' | 'no-releasable-commits' | 'archived' | 'not-a-connector';

export interface AcmeExpectation {
  repo: string;
  /** The latest release tag by SemVer on the stable line (never by date or by name), or null when never released. */
  latestTag: string | null;
  /** Commits on the default branch that the latest tag does not contain (every commit when never released). */
  commitsSince: number;
  /** The bump the commits since call for under the default rules (see ACME_RULES), ignoring archival. */
  bump: 'major' | 'minor' | 'patch' | null;
  /** The tag a release of the default branch would create now, or null when nothing is releasable. */
  nextTag: string | null;
  /** What `cutter fleet --org acme` (pattern `connector-*`) does with the repo. */
  fleet: AcmeFleetOutcome;
  why: string;
}

/** The default rules the table was derived under, by hand. */
export const ACME_RULES = [
  'feat → minor; fix, perf → patch; `!` or a BREAKING CHANGE footer → major',
  'docs, style, test, ci, chore, refactor, build → no release (seed 003 would add refactor/build → patch)',
  'while the major is 0: breaking → minor, feat → minor',
  'a commit with [skip release] counts for nothing; other commits still count',
  'first release of a repo with releasable commits: 1.0.0',
  'latest tag = highest SemVer tag in the repo tag format (v{version}; t{version} for website); foreign tags ignored',
] as const;

/** Expected outcome per repo, derived by hand from ACME_ORG (never computed with Cutter's own code). */
export const ACME_EXPECTED: readonly AcmeExpectation[] = [
  {
    repo: 'connector-salesforce',
    latestTag: null,
    commitsSince: 4,
    bump: 'minor',
    nextTag: 'v1.0.0',
    fleet: 'release',
    why: 'never released; has feat and fix commits → first release',
  },
  {
    repo: 'connector-stripe',
    latestTag: 'v3.2.1',
    commitsSince: 2,
    bump: 'patch',
    nextTag: 'v3.2.2',
    fleet: 'release',
    why: 'a fix and a chore since v3.2.1 (annotated)',
  },
  {
    repo: 'connector-hubspot',
    latestTag: 'v1.2.0',
    commitsSince: 0,
    bump: null,
    nextTag: null,
    fleet: 'up-to-date',
    why: 'lightweight v1.2.0 is on head',
  },
  {
    repo: 'connector-zendesk',
    latestTag: 'v2.0.1',
    commitsSince: 0,
    bump: null,
    nextTag: null,
    fleet: 'up-to-date',
    why: 'annotated v2.0.1 peels to head',
  },
  {
    repo: 'connector-slack',
    latestTag: 'v1.4.2',
    commitsSince: 2,
    bump: 'patch',
    nextTag: 'v1.4.3',
    fleet: 'release',
    why: 'two fixes since v1.4.2',
  },
  {
    repo: 'connector-jira',
    latestTag: 'v2.3.1',
    commitsSince: 3,
    bump: 'minor',
    nextTag: 'v2.4.0',
    fleet: 'release',
    why: 'feat + fix + test since v2.3.1',
  },
  {
    repo: 'connector-github',
    latestTag: 'v1.7.0',
    commitsSince: 2,
    bump: 'major',
    nextTag: 'v2.0.0',
    fleet: 'release',
    why: '`feat!:` after 1.0',
  },
  {
    repo: 'connector-gitlab',
    latestTag: 'v3.1.4',
    commitsSince: 1,
    bump: 'major',
    nextTag: 'v4.0.0',
    fleet: 'release',
    why: 'BREAKING CHANGE footer on a fix after 1.0',
  },
  {
    repo: 'connector-notion',
    latestTag: 'v0.4.2',
    commitsSince: 2,
    bump: 'minor',
    nextTag: 'v0.5.0',
    fleet: 'release',
    why: '`feat(api)!:` while the major is 0 → minor',
  },
  {
    repo: 'connector-airtable',
    latestTag: 'v0.2.0',
    commitsSince: 2,
    bump: 'minor',
    nextTag: 'v0.3.0',
    fleet: 'release',
    why: 'feat + fix while the major is 0',
  },
  {
    repo: 'connector-asana',
    latestTag: 'v0.9.3',
    commitsSince: 1,
    bump: 'patch',
    nextTag: 'v0.9.4',
    fleet: 'release',
    why: 'one fix while the major is 0',
  },
  {
    repo: 'connector-trello',
    latestTag: 'v1.1.0',
    commitsSince: 2,
    bump: null,
    nextTag: null,
    fleet: 'no-releasable-commits',
    why: 'both commits since v1.1.0 carry [skip release] (one in the subject, one in the body)',
  },
  {
    repo: 'connector-shopify',
    latestTag: 'v1.0.3',
    commitsSince: 5,
    bump: null,
    nextTag: null,
    fleet: 'no-releasable-commits',
    why: 'docs, chore, ci, test and style only',
  },
  {
    repo: 'connector-mailchimp',
    latestTag: 'v1.3.0',
    commitsSince: 1,
    bump: 'patch',
    nextTag: 'v1.3.1',
    fleet: 'release',
    why: 'foreign tags `release-2020` and `latest` (the latter on head) are not versions; a fix since v1.3.0',
  },
  {
    repo: 'connector-twilio',
    latestTag: 'v1.10.0',
    commitsSince: 1,
    bump: 'patch',
    nextTag: 'v1.10.1',
    fleet: 'release',
    why: '12 tags; v1.9.1 (maintenance branch) is the newest by date and sorts after v1.10.0 by name, yet v1.10.0 is the highest version',
  },
  {
    repo: 'connector-dropbox',
    latestTag: 'v2.10.0',
    commitsSince: 0,
    bump: null,
    nextTag: null,
    fleet: 'up-to-date',
    why: 'v2.10.0 is on head; v2.9.1 on release-2.9 is newer by date but lower by version',
  },
  {
    repo: 'connector-box',
    latestTag: 'v1.0.0',
    commitsSince: 1,
    bump: 'patch',
    nextTag: 'v1.0.1',
    fleet: 'archived',
    why: 'archived: has a fix since v1.0.0 but archived repos are never released',
  },
  {
    repo: 'connector-okta',
    latestTag: 'v1.5.0',
    commitsSince: 3,
    bump: 'major',
    nextTag: 'v2.0.0',
    fleet: 'release',
    why: 'prerelease line v2.0.0-beta.1/-beta.2 after v1.5.0; from the stable v1.5.0 a breaking change → 2.0.0, and promoting beta.2 gives 2.0.0 too',
  },
  {
    repo: 'connector-postgres',
    latestTag: 'v1.2.3',
    commitsSince: 1,
    bump: 'patch',
    nextTag: 'v1.2.4',
    fleet: 'release',
    why: 'perf → patch',
  },
  {
    repo: 'connector-mysql',
    latestTag: 'v1.1.0',
    commitsSince: 2,
    bump: null,
    nextTag: null,
    fleet: 'no-releasable-commits',
    why: 'refactor and build only (default rules; seed 003 rules would give v1.1.1)',
  },
  {
    repo: 'connector-s3',
    latestTag: 'v1.0.0',
    commitsSince: 2,
    bump: 'patch',
    nextTag: 'v1.0.1',
    fleet: 'release',
    why: 'a fix merged with a merge commit (PR #12)',
  },
  {
    repo: 'connector-bigquery',
    latestTag: 'v1.2.0',
    commitsSince: 2,
    bump: 'patch',
    nextTag: 'v1.2.1',
    fleet: 'release',
    why: 'the feat is marked [skip release]; the fix still counts',
  },
  {
    repo: 'connector-snowflake',
    latestTag: 'v4.2.0',
    commitsSince: 150,
    bump: 'minor',
    nextTag: 'v4.3.0',
    fleet: 'release',
    why: 'the only feat is the oldest of 150 commits since v4.2.0 (past the first page of 100)',
  },
  {
    repo: 'connector-kafka',
    latestTag: 'v2.1.0',
    commitsSince: 0,
    bump: null,
    nextTag: null,
    fleet: 'up-to-date',
    why: 'v2.1.0 (annotated) and the foreign `latest` both on head',
  },
  {
    repo: 'connector-redis',
    latestTag: 'v1.9.0',
    commitsSince: 1,
    bump: 'minor',
    nextTag: 'v1.10.0',
    fleet: 'release',
    why: 'feat after v1.9.0 → v1.10.0 (not v1.9.1, not "v2.0.0")',
  },
  {
    repo: 'api-gateway',
    latestTag: 'v2.0.0',
    commitsSince: 1,
    bump: 'patch',
    nextTag: 'v2.0.1',
    fleet: 'not-a-connector',
    why: 'a fix since v2.0.0, released by the single-repo flow only',
  },
  {
    repo: 'infra-manifests',
    latestTag: null,
    commitsSince: 1,
    bump: null,
    nextTag: null,
    fleet: 'not-a-connector',
    why: 'GitOps target: never released, chore only',
  },
  {
    repo: 'cutter-control',
    latestTag: null,
    commitsSince: 1,
    bump: null,
    nextTag: null,
    fleet: 'not-a-connector',
    why: 'control repo: never released, chore only',
  },
  {
    repo: 'website',
    latestTag: 't1.4.0',
    commitsSince: 2,
    bump: 'minor',
    nextTag: 't1.5.0',
    fleet: 'not-a-connector',
    why: 'site repo with tag format t{version}: feat + fix since t1.4.0',
  },
];
