import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCutterError } from '../core/errors.js';
import type { FleetRow, ReleaseMessage } from './notifier.js';
import { BLOCK_KIT_LIMITS, blockKitViolations, buildSlackMessage, type SlackBlock, truncate } from './slack-blocks.js';

const released: ReleaseMessage = {
  kind: 'released',
  repo: 'acme/connector-x',
  repoUrl: 'https://github.com/acme/connector-x',
  version: '1.4.2',
  tag: 'v1.4.2',
  url: 'https://github.com/acme/connector-x/releases/tag/v1.4.2',
  image: 'ghcr.io/acme/connector-x:1.4.2',
  trigger: 'push by @octocat',
  sha: 'a41b9f2c1e0d3b4a5c6d7e8f9a0b1c2d3e4f5a6b',
};

const allText = (blocks: SlackBlock[]) => JSON.stringify(blocks);
const sectionTexts = (blocks: SlackBlock[]) =>
  blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));

describe('buildSlackMessage', () => {
  it('announces a release with repo, linked version, image, trigger and a button to the release', () => {
    const payload = buildSlackMessage(released);
    expect(payload.text).toBe(
      'acme/connector-x v1.4.2 released: https://github.com/acme/connector-x/releases/tag/v1.4.2',
    );
    expect(payload.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: ':rocket: acme/connector-x v1.4.2 released', emoji: true },
    });
    const fields = payload.blocks[1]?.type === 'section' ? (payload.blocks[1].fields ?? []).map((f) => f.text) : [];
    expect(fields).toEqual([
      '*Repository*\n<https://github.com/acme/connector-x|acme/connector-x>',
      '*Version*\n<https://github.com/acme/connector-x/releases/tag/v1.4.2|v1.4.2>',
      '*Image*\n`ghcr.io/acme/connector-x:1.4.2`',
      '*Triggered by*\npush by @octocat',
      '*Commit*\n`a41b9f2c1e0d`',
    ]);
    expect(payload.blocks[2]).toMatchObject({
      type: 'actions',
      elements: [{ url: released.url, text: { text: 'View release' } }],
    });
    expect(blockKitViolations(payload)).toEqual([]);
  });

  it('links the repository to the GitHub it lives on, and never guesses github.com', () => {
    const ghes = buildSlackMessage({ ...released, repoUrl: 'https://git.acme.example/acme/connector-x' });
    expect(allText(ghes.blocks)).toContain('<https://git.acme.example/acme/connector-x|acme/connector-x>');
    const { repoUrl: _none, ...unlinked } = released;
    const fields = buildSlackMessage({ ...unlinked, url: 'http://127.0.0.1:9/acme/connector-x/releases/tag/v1.4.2' });
    expect(allText(fields.blocks)).toContain('*Repository*\\nacme/connector-x');
    expect(allText(fields.blocks)).not.toContain('github.com');
  });

  it('builds a follow-up for a rolled-out image and a failure with its status', () => {
    const rolled = buildSlackMessage({
      kind: 'rolled-out',
      repo: 'acme/connector-x',
      connectorId: 'connector-x',
      version: '1.4.2',
      image: released.image,
      status: '200 healthy',
    });
    expect(rolled.text).toBe('connector-x: image ghcr.io/acme/connector-x:1.4.2 rolled out (200 healthy)');
    const failed = buildSlackMessage({
      kind: 'rollout-failed',
      repo: 'acme/connector-x',
      connectorId: 'connector-x',
      image: released.image,
      status: 'PUT answered 403',
    });
    expect(failed.blocks[0]).toMatchObject({ text: { text: ':x: connector-x roll-out failed' } });
    expect(allText(failed.blocks)).toContain('*Status*\\nPUT answered 403');
  });

  it('escapes Slack control characters in values so nobody can inject links or mentions', () => {
    const payload = buildSlackMessage({
      ...released,
      kind: 'release-failed',
      status: '<!channel> & <https://evil|click>',
    });
    expect(allText(payload.blocks)).toContain('&lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
    expect(allText(payload.blocks)).not.toContain('<!channel>');
  });

  it('does not render non-http URLs as links or buttons', () => {
    const payload = buildSlackMessage({ ...released, url: 'javascript:alert(1)' });
    expect(payload.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(allText(payload.blocks)).not.toContain('<javascript:');
  });

  it('truncates an oversized header and field instead of breaking the message', () => {
    const payload = buildSlackMessage({ ...released, repo: `acme/${'x'.repeat(400)}`, status: 'y'.repeat(5000) });
    expect(blockKitViolations(payload)).toEqual([]);
    const header = payload.blocks[0];
    expect(header?.type === 'header' && header.text.text.length).toBe(BLOCK_KIT_LIMITS.headerText);
    expect(header?.type === 'header' && header.text.text.endsWith('…')).toBe(true);
  });

  it('renders a team template for the text with Slack escaping, and reports a broken one as a config error', () => {
    const payload = buildSlackMessage(
      { ...released, trigger: '<bot>' },
      { textTemplate: 'New <%= it.repo %> <%= it.tag %> by <%= it.trigger %>' },
    );
    expect(payload.text).toBe('New acme/connector-x v1.4.2 by &lt;bot&gt;');
    try {
      buildSlackMessage(released, { textTemplate: '<%= it.nope.deeper %>' });
      expect.unreachable();
    } catch (err) {
      expect(isCutterError(err, 'CUTTER_CONFIG_INVALID')).toBe(true);
    }
  });
});

describe('fleet summary', () => {
  const rows = (n: number, note = ''): FleetRow[] =>
    Array.from({ length: n }, (_, i) => ({
      repo: `acme/connector-${String(i).padStart(4, '0')}`,
      status: i % 7 === 0 ? 'failed' : i % 3 === 0 ? 'unchanged' : 'released',
      version: `1.${i}.0`,
      previousVersion: `1.${i}.${i % 3}`,
      url: `https://github.com/acme/connector-${i}/releases/tag/v1.${i}.0`,
      ...(note ? { note } : {}),
    }));

  it('lists every repository of a small fleet, failed first, with counts', () => {
    const payload = buildSlackMessage({ kind: 'fleet-summary', repo: 'acme', summary: { rows: rows(20) } });
    expect(blockKitViolations(payload)).toEqual([]);
    const texts = sectionTexts(payload.blocks);
    expect(texts[0]).toBe('20 repositories: *3* failed, *11* released, *6* unchanged');
    const lines = texts.slice(1).join('\n').split('\n');
    expect(lines).toHaveLength(20);
    expect(lines.slice(0, 3).every((l) => l.startsWith(':x:'))).toBe(true);
    expect(payload.text).toBe('acme: 11 released, 3 failed, 6 unchanged');
    expect(allText(payload.blocks)).not.toContain('more');
  });

  it('stays within Block Kit limits for 2,000 repositories and says how many were left out', () => {
    const all = rows(2000, 'x'.repeat(250));
    const payload = buildSlackMessage({ kind: 'fleet-summary', repo: 'acme', summary: { rows: all } });
    expect(blockKitViolations(payload)).toEqual([]);
    expect(payload.blocks.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.blocks);
    const shown = sectionTexts(payload.blocks).slice(1).join('\n').split('\n').length;
    const more = allText(payload.blocks).match(/…and (\d+) more/);
    expect(Number(more?.[1])).toBe(2000 - shown);
    expect(shown).toBeGreaterThan(100);
  });

  it('keeps any generated message valid (property)', () => {
    const kinds = ['released', 'rolled-out', 'rollout-failed', 'release-failed', 'fleet-summary'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.string({ maxLength: 400 }),
        fc.option(fc.string({ maxLength: 6000 }), { nil: undefined }),
        fc.array(
          fc.record({
            repo: fc.string({ maxLength: 300 }),
            status: fc.string({ maxLength: 30 }),
            note: fc.string({ maxLength: 500 }),
          }),
          { maxLength: 300 },
        ),
        (kind, repo, status, summaryRows) => {
          const payload = buildSlackMessage({
            kind,
            repo: repo || 'r',
            status,
            version: '1.0.0',
            summary: { rows: summaryRows },
          });
          expect(blockKitViolations(payload)).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('blockKitViolations and truncate', () => {
  it('finds each broken limit', () => {
    const tooMany: SlackBlock[] = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(blockKitViolations({ text: 't', blocks: tooMany })).toEqual(['51 blocks > 50']);
    const bad = blockKitViolations({
      text: '',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
        {
          type: 'section',
          fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn' as const, text: 'f'.repeat(2001) })),
        },
        { type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3001) } },
      ],
    });
    expect(bad).toEqual(
      expect.arrayContaining([
        'empty text fallback',
        'block 0: header 151 > 150',
        'block 1: 11 fields > 10',
        'block 1: field 2001 > 2000',
        'block 2: section text 3001 chars',
      ]),
    );
  });

  it('never splits an emoji when truncating', () => {
    const cut = truncate('🚀'.repeat(10), 6);
    expect(cut).toBe('🚀🚀…');
    expect(cut.length).toBeLessThanOrEqual(6);
  });
});
