import { describe, expect, it } from 'vitest';
import { isCutterError } from '../core/errors.js';
import { activeFreeze } from '../core/freeze-window.js';
import { parseConfig } from './load-config.js';

async function refusal(text: string): Promise<string> {
  try {
    await parseConfig(text);
  } catch (err) {
    if (isCutterError(err, 'CUTTER_CONFIG_INVALID')) return err.message;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

describe('the freeze section of .cutter.yml', () => {
  it('has no windows by default', async () => {
    expect((await parseConfig('')).freeze).toEqual({ windows: [] });
  });

  it('reads weekly slots and date ranges that the freeze check understands', async () => {
    const config = await parseConfig(
      [
        'freeze:',
        '  windows:',
        '    - weekly: { days: [fri], from: "15:00", to: "23:59" }',
        '      timezone: Europe/Berlin',
        '      reason: no Friday releases',
        '    - from: 2026-12-24',
        '      to: 2026-12-26',
        '      timezone: Europe/Berlin',
        '      reason: holidays',
        '',
      ].join('\n'),
    );
    expect(config.freeze.windows).toHaveLength(2);
    expect(activeFreeze(config.freeze.windows, new Date('2026-11-27T14:30:00Z')).reason).toBe('no Friday releases');
    expect(activeFreeze(config.freeze.windows, new Date('2026-12-25T09:00:00Z')).reason).toBe('holidays');
  });

  it('refuses an unknown time zone', async () => {
    expect(
      await refusal(
        'freeze:\n  windows:\n    - weekly: { days: [fri], from: "15:00", to: "18:00" }\n      timezone: Mars/Olympus\n      reason: x\n',
      ),
    ).toMatch(/freeze/);
  });

  it('refuses a time of day such as 3pm', async () => {
    expect(
      await refusal(
        'freeze:\n  windows:\n    - weekly: { days: [fri], from: 3pm, to: "18:00" }\n      timezone: UTC\n      reason: x\n',
      ),
    ).toMatch(/freeze/);
  });

  it('refuses a timestamp without an offset', async () => {
    expect(
      await refusal('freeze:\n  windows:\n    - from: "2026-12-24T10:00:00"\n      to: 2026-12-26\n      reason: x\n'),
    ).toMatch(/freeze/);
  });

  it('refuses a window without a reason', async () => {
    expect(await refusal('freeze:\n  windows:\n    - from: 2026-12-24\n      to: 2026-12-26\n')).toMatch(/freeze/);
  });
});
