import { afterEach, describe, expect, it } from 'vitest';
import { isCutterError } from '../core/errors.js';
import { type InfraEmulator, startInfraEmulator } from '../sandbox/infra-emulator.js';
import { connectorIdFor, createRolloutDriver, imageForRelease, parseDeploySection } from './deploy-config.js';

let emu: InfraEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isCutterError(err, 'CUTTER_CONFIG_INVALID')) return err.message;
    throw err;
  }
  throw new Error('expected CUTTER_CONFIG_INVALID');
}

describe('deploy section', () => {
  it('reads an infra-API section and builds a driver that rolls out the release image', async () => {
    emu = await startInfraEmulator({ token: 'deploy-config-token-1' });
    const section = parseDeploySection({
      image: 'ghcr.io/acme/{repo}:{version}',
      driver: { type: 'infra-api', baseUrl: emu.url, auth: { env: 'INFRA_TOKEN' }, retries: 1 },
    });
    expect(section).not.toBeNull();
    if (!section) return;
    const image = imageForRelease(section.image, { owner: 'acme', repo: 'Connector-X', version: '1.4.2' });
    expect(image).toBe('ghcr.io/acme/connector-x:1.4.2');
    const driver = createRolloutDriver(section.driver, { env: { INFRA_TOKEN: 'deploy-config-token-1' } });
    const result = await driver.rollout({ connectorId: connectorIdFor(section, 'connector-x'), image });
    expect(result.outcome).toBe('updated');
    expect(emu.updates('connector-x').map((u) => u.image)).toEqual([image]);
  });

  it('treats a missing or empty section as "no image to roll out"', () => {
    expect(parseDeploySection(undefined)).toBeNull();
    expect(parseDeploySection({})).toBeNull();
  });

  it('accepts a GitOps section and needs a GitHub client to build it', () => {
    const section = parseDeploySection({
      image: 'ghcr.io/acme/{repo}:{version}',
      connectorId: 'prod-{repo}',
      driver: {
        type: 'gitops',
        repository: 'acme/manifests',
        files: ['apps/{connectorId}/values.yaml'],
        autoMerge: true,
      },
    });
    expect(section && connectorIdFor(section, 'connector-x')).toBe('prod-connector-x');
    expect(configError(() => section && createRolloutDriver(section.driver))).toMatch(/needs a GitHub client/);
  });

  it.each([
    [
      'a pasted token instead of a variable name',
      { type: 'infra-api', baseUrl: 'https://infra', auth: { env: 'ghp_abcdefghijklmnopqrstuvwxyz' } },
      /deploy\.driver\.auth\.env/,
    ],
    ['an unknown driver', { type: 'ftp' }, /deploy\.driver\.type/],
    ['an unknown key', { type: 'infra-api', baseUrl: 'https://infra', token: 'x' }, /deploy\.driver/],
    ['a non-http base URL', { type: 'infra-api', baseUrl: 'file:///etc/passwd' }, /deploy\.driver\.baseUrl/],
    [
      'a GitOps section without files',
      { type: 'gitops', repository: 'acme/manifests', files: [] },
      /deploy\.driver\.files/,
    ],
  ])('rejects %s', (_label, driver, pattern) => {
    const message = configError(() => parseDeploySection({ image: 'ghcr.io/acme/x:{version}', driver }));
    expect(message).toMatch(pattern);
    expect(message).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz');
  });

  it('rejects an image template that does not give a valid image', () => {
    expect(() =>
      imageForRelease('ghcr.io/acme/{repo}:{version}', { owner: 'acme', repo: 'x', version: '1.0.0 ; rm' }),
    ).toThrow(/invalid image reference/);
  });
});
