// Generates a realistic, seeded Conventional Commits history (messages, authors, files) and the bump it implies.
import { type Random, seededRandom } from './random.js';

/** Bump this whenever the generated history changes, so cached repositories are rebuilt. */
export const HISTORY_GENERATOR_VERSION = 1;

export interface Person {
  name: string;
  email: string;
}

export interface GeneratedCommit {
  message: string;
  author: Person;
  /** Unix seconds, strictly increasing along the history. */
  time: number;
  /** The one small file this commit changes, with its new content. */
  path: string;
  content: string;
}

export interface HistoryOptions {
  /** Number of commits after the tagged initial commit. */
  commits: number;
  seed?: number;
  /** Zero-based indexes of commits that carry a `BREAKING CHANGE:` footer; none by default. */
  breakingAt?: readonly number[];
  /** The version tagged on the initial commit. */
  baseVersion?: string;
}

export interface GeneratedHistory {
  baseVersion: string;
  initial: GeneratedCommit;
  commits: GeneratedCommit[];
  /** What the Conventional Commits rules make of this history (feat → minor, fix/perf → patch, breaking → major). */
  expectedBump: 'major' | 'minor' | 'patch' | 'none';
  expectedVersion: string;
  /** How many commits of each kind were generated, for the report. */
  kinds: Record<string, number>;
}

const START_TIME = Date.UTC(2024, 0, 8, 9, 0, 0) / 1000;

const AUTHORS: readonly Person[] = [
  'Ada Lovelace',
  'Grace Hopper',
  'Linus Torvalds',
  'Margaret Hamilton',
  'Ken Thompson',
  'Barbara Liskov',
  'Dennis Ritchie',
  'Frances Allen',
  'Guido van Rossum',
  'Radia Perlman',
  'José Valim',
  'Anders Hejlsberg',
  'Yukihiro Matsumoto',
  'Sophie Wilson',
  'Rob Pike',
  'Karen Spärck Jones',
  'Bjarne Stroustrup',
  'Hedy Lamarr',
  'dependabot[bot]',
  'renovate[bot]',
].map((name) => ({
  name,
  email: `${name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.|\.$/g, '')}@example.com`,
}));

const SCOPES = [
  'api',
  'cli',
  'parser',
  'git',
  'notes',
  'config',
  'server',
  'ui',
  'auth',
  'store',
  'workflow',
  'webhooks',
  'fleet',
  'deploy',
  'i18n',
] as const;

const SUBJECTS: Record<string, readonly string[]> = {
  feat: [
    'add {thing} support',
    'allow configuring {thing}',
    'expose {thing} in the JSON output',
    'support `{thing}` in templates',
    'add a --{flag} option',
    'show {thing} in the dashboard',
    'accept {thing} from environment variables',
  ],
  fix: [
    'handle empty {thing}',
    'do not crash on missing {thing}',
    'keep {thing} when retrying',
    'escape quotes in {thing}',
    'respect --{flag} when {thing} is set',
    'correct off-by-one in {thing}',
    'avoid duplicate {thing} on re-run',
    'trim trailing whitespace from {thing}',
  ],
  perf: ['stream {thing} instead of buffering', 'cache {thing} lookups', 'batch {thing} requests'],
  docs: ['document {thing}', 'fix typo in {thing} guide', 'explain how {thing} works', 'add example for --{flag}'],
  chore: ['tidy {thing}', 'rename {thing} for clarity', 'update .gitignore', 'remove unused {thing}'],
  refactor: ['extract {thing} into its own module', 'simplify {thing}', 'split {thing} handling'],
  test: ['cover {thing}', 'add fixtures for {thing}', 'make {thing} test deterministic'],
  ci: ['cache npm in {thing} job', 'run {thing} on Node 22', 'pin actions for {thing}'],
  style: ['format {thing}', 'sort imports in {thing}'],
  build: ['bump TypeScript target for {thing}', 'ship {thing} in the package'],
};

const THINGS = [
  'release notes',
  'tag formats',
  'prerelease channels',
  'webhook deliveries',
  'rate limits',
  'compare links',
  'the CHANGELOG editor',
  'scoped packages',
  'footers',
  'merge commits',
  'annotated tags',
  'connector images',
  'Slack messages',
  'freeze windows',
  'the fleet summary',
  'non-UTF-8 messages',
  'café names',
  'emoji 🚀 subjects',
];

const FLAGS = ['dry-run', 'json', 'push', 'cwd', 'tag-format', 'channel', 'since'];

const SENTENCES = [
  'The previous behaviour surprised users who ran the command twice in a row.',
  'This keeps the output stable across platforms.',
  'We now read the value lazily, so start-up stays fast on large repositories.',
  'Reported by a customer running hundreds of connectors in one organization.',
  'The old code path is kept behind a flag for one more minor version.',
  'See the discussion in the design review for the trade-offs considered.',
  'Timestamps are normalised to UTC before comparison.',
  'Quotes like "this" and `that` are now preserved verbatim.',
  'No change for repositories that already use the default settings.',
  'This mirrors what GitHub does for squash merges.',
  'Large histories (100k commits) no longer allocate one big string.',
  'Edge case found by the property-based tests.',
];

const NON_CONVENTIONAL = [
  'Update README.md',
  'WIP',
  "Merge branch 'main' into topic/{scope}",
  'Bump lodash from 4.17.20 to 4.17.21',
  'Fix typo',
  'Initial work on {thing}',
  'Address review comments',
  'feat missing colon {thing}',
];

/** Weighted commit kinds; weights sum to 100 so they read as percentages. */
const KIND_WEIGHTS: readonly (readonly [string, number])[] = [
  ['feat', 17],
  ['fix', 25],
  ['perf', 4],
  ['docs', 10],
  ['chore', 11],
  ['chore-deps', 3],
  ['refactor', 7],
  ['test', 6],
  ['ci', 3],
  ['style', 2],
  ['build', 3],
  ['revert', 2],
  ['non-conventional', 7],
];

function pickKind(random: Random): string {
  let roll = random.next() * 100;
  for (const [kind, weight] of KIND_WEIGHTS) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return 'fix';
}

function fill(template: string, random: Random): string {
  return template
    .replace('{thing}', random.pick(THINGS))
    .replace('{flag}', random.pick(FLAGS))
    .replace('{scope}', random.pick(SCOPES));
}

function wrap(text: string, width = 72): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

function body(random: Random): string {
  const paragraphs: string[] = [];
  const count = random.int(1, 3);
  for (let p = 0; p < count; p += 1) {
    const sentences: string[] = [];
    for (let s = random.int(1, 3); s > 0; s -= 1) {
      const sentence = random.pick(SENTENCES);
      if (!sentences.includes(sentence)) sentences.push(sentence);
    }
    paragraphs.push(random.chance(0.15) ? sentences.map((x) => `- ${x}`).join('\n') : wrap(sentences.join(' ')));
  }
  return paragraphs.join('\n\n');
}

function fakeSha(random: Random): string {
  let sha = '';
  while (sha.length < 40)
    sha += Math.floor(random.next() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return sha.slice(0, 40);
}

function commitMessage(kind: string, breaking: boolean, pr: number, random: Random): string {
  if (kind === 'non-conventional') return fill(random.pick(NON_CONVENTIONAL), random);
  if (kind === 'revert') {
    const reverted = `fix(${random.pick(SCOPES)}): ${fill(random.pick(SUBJECTS['fix']!), random)}`;
    return `Revert "${reverted}"\n\nThis reverts commit ${fakeSha(random)}.`;
  }
  if (kind === 'chore-deps') {
    const dep = random.pick(['semver', 'yaml', 'zod', 'fastify', '@octokit/rest', 'eta']);
    const minor = random.int(1, 30);
    return `chore(deps): bump ${dep} from 1.${minor}.0 to 1.${minor + 1}.0${random.chance(0.8) ? ` (#${pr})` : ''}`;
  }
  const type = breaking ? 'feat' : kind;
  const scope = random.chance(0.7) ? `(${random.pick(SCOPES)})` : '';
  let subject = fill(random.pick(SUBJECTS[type]!), random);
  // A few docs/chore commits opt out of releasing; they never carry a releasable type, so the bump is unaffected.
  if ((type === 'docs' || type === 'chore') && random.chance(0.03)) subject += ' [skip release]';
  if (random.chance(0.35)) subject += ` (#${pr})`;
  const parts = [`${type}${scope}: ${subject}`];
  if (breaking || random.chance(0.45)) parts.push(body(random));
  const footers: string[] = [];
  if (breaking) footers.push(`BREAKING CHANGE: ${wrap(`${random.pick(THINGS)} now ${random.pick(SENTENCES)}`)}`);
  if (random.chance(0.2)) footers.push(`Refs: #${random.int(1, Math.max(1, pr))}`);
  if (random.chance(0.1)) {
    const who = random.pick(AUTHORS);
    footers.push(`Co-authored-by: ${who.name} <${who.email}>`);
  }
  if (random.chance(0.05)) footers.push(`Reviewed-by: ${random.pick(AUTHORS).name}`);
  if (footers.length > 0) parts.push(footers.join('\n'));
  return parts.join('\n\n');
}

function bumpVersion(version: string, bump: GeneratedHistory['expectedBump']): string {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  if (bump === 'patch') return `${major}.${minor}.${patch + 1}`;
  return version;
}

/**
 * A history of `commits` commits after a tagged initial commit. The first commit is always a `feat`, so the
 * expected bump is at least minor; breaking changes appear only at `breakingAt`, so the expected version is known.
 */
export function generateHistory(options: HistoryOptions): GeneratedHistory {
  const random = seededRandom(options.seed ?? 20240108);
  const breakingAt = new Set(options.breakingAt ?? []);
  const baseVersion = options.baseVersion ?? '1.4.2';
  const kinds: Record<string, number> = {};
  const commits: GeneratedCommit[] = [];
  // Weighted towards the first authors: a few people write most commits, as in real repositories.
  const author = (): Person => AUTHORS[Math.min(AUTHORS.length - 1, Math.floor(random.next() ** 2 * AUTHORS.length))]!;
  let time = START_TIME;
  let pr = 100;
  const initial: GeneratedCommit = {
    message: 'chore: initial import',
    author: AUTHORS[0]!,
    time,
    path: 'README.md',
    content: '# bench-repo\n\nGenerated by the Cutter benchmark.\n',
  };
  let sawBreaking = false;
  let sawFeat = false;
  let sawPatch = false;
  for (let i = 0; i < options.commits; i += 1) {
    time += random.int(60, 5400);
    pr += random.int(0, 2);
    const breaking = breakingAt.has(i);
    const kind = breaking ? 'feat' : i === 0 ? 'feat' : pickKind(random);
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    if (breaking) sawBreaking = true;
    if (kind === 'feat') sawFeat = true;
    if (kind === 'fix' || kind === 'perf') sawPatch = true;
    const scopeDir = SCOPES[i % SCOPES.length];
    const path = `src/${scopeDir}/module-${i % 20}.ts`;
    commits.push({
      message: commitMessage(kind, breaking, pr, random),
      author: author(),
      time,
      path,
      content: `// ${path}\nexport const revision = ${i + 1};\n`,
    });
  }
  const expectedBump = sawBreaking ? 'major' : sawFeat ? 'minor' : sawPatch ? 'patch' : 'none';
  return {
    baseVersion,
    initial,
    commits,
    expectedBump,
    expectedVersion: bumpVersion(baseVersion, expectedBump),
    kinds,
  };
}
