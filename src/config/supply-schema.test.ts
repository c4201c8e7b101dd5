import { describe, expect, it } from 'vitest';
import { parseSupplySection, waitForSignaturesSeconds } from '../supply/supply-config.js';
import { parseConfig } from './load-config.js';

describe('the supply section of .cutter.yml', () => {
  it('reads the signing key by name, the trusted keys and the SBOM source, with defaults', async () => {
    const config = await parseConfig(
      [
        'supply:',
        '  require: [signature, sbom]',
        '  signingKey: { env: CUTTER_SIGNING_KEY }',
        '  publicKeys: [keys/release.pub]',
        '  sbom: { command: [cat, sbom.json] }',
        '',
      ].join('\n'),
      '.cutter.yml',
    );
    expect(config.supply).toEqual({
      require: ['signature', 'sbom'],
      signingKey: { env: 'CUTTER_SIGNING_KEY' },
      publicKeys: ['keys/release.pub'],
      waitForImageSeconds: 300,
      plainHttpHosts: [],
      sbom: { command: ['cat', 'sbom.json'], lockfile: 'package-lock.json', includeDev: false },
    });
    expect((await parseConfig('tagFormat: "v{version}"\n')).supply).toBeUndefined();
  });

  it('reads how long verify waits for signatures attached elsewhere, by default as long as for the image', async () => {
    const section = async (lines: string[]) =>
      parseSupplySection((await parseConfig(['supply:', ...lines, ''].join('\n'), '.cutter.yml')).supply, 'x');
    expect(waitForSignaturesSeconds(await section(['  waitForImageSeconds: 120']))).toBe(120);
    expect(waitForSignaturesSeconds(await section(['  publicKeys: [k.pub]']))).toBe(300);
    const both = await section(['  waitForImageSeconds: 120', '  waitForSignaturesSeconds: 1800']);
    expect([both.waitForImageSeconds, waitForSignaturesSeconds(both)]).toEqual([120, 1800]);
    for (const bad of ['-1', '1.5', '"30m"', '7200']) {
      const parsed = parseConfig(`supply:\n  publicKeys: [k.pub]\n  waitForSignaturesSeconds: ${bad}\n`, '.cutter.yml');
      await expect(parsed).rejects.toThrow(/\.cutter\.yml:3:\d+: supply\.waitForSignaturesSeconds/);
    }
  });

  it('refuses a pasted key, an unknown requirement and an unknown key, naming file, line, key and what is allowed', async () => {
    const pasted = parseConfig('supply:\n  signingKey: "-----BEGIN PRIVATE KEY-----"\n', 'acme/x@abc:.cutter.yml');
    await expect(pasted).rejects.toThrow(/acme\/x@abc:\.cutter\.yml:2:\d+: supply\.signingKey/);
    const vibes = parseConfig('supply:\n  require: [signature, vibes]\n', '.cutter.yml');
    await expect(vibes).rejects.toThrow(
      /\.cutter\.yml:2:\d+: supply\.require\[1\] — .*"signature", "sbom", "provenance"/,
    );
    const unknown = parseConfig('supply:\n  signinKey: { env: K }\n', '.cutter.yml');
    await expect(unknown).rejects.toThrow(/unknown key supply\.signinKey \(allowed: require, publicKeys, signingKey/);
    const err = (() => {
      try {
        parseSupplySection({ signingKey: { env: 'lower case' }, extra: 1 }, 'x.yml');
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err?.message).toMatch(/^x\.yml: .*unknown key supply\.extra \(allowed: .*signingKey.*\)/);
    expect(err?.message).toMatch(/supply\.signingKey/);
  });
});
