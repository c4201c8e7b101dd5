// GitHub App installations: the client trades a signed JWT for an installation token and uses that token.

import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearSecrets, redact } from '../core/redact.js';
import { type RecordingReceiver, startRecordingReceiver } from '../notify/recording-receiver.js';
import { createGitHubClient } from './client.js';

let api: RecordingReceiver;
beforeAll(async () => {
  api = await startRecordingReceiver();
});
afterAll(async () => {
  await api.close();
  clearSecrets();
});

describe('createGitHubClient with a GitHub App', () => {
  it('asks for an installation token with a JWT, then calls the API with that token', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    api.answerNext(
      {
        status: 201,
        body: {
          token: 'ghs_installation_token_0001',
          expires_at: expires,
          permissions: { contents: 'write' },
          repository_selection: 'all',
        },
      },
      { status: 200, body: { full_name: 'acme/connector-x', default_branch: 'main' } },
    );
    const gh = await createGitHubClient({
      baseUrl: api.url,
      app: { appId: 1234, privateKey: pem, installationId: 42 },
      env: {},
      retries: 0,
    });
    const { data } = await gh.rest.repos.get({ owner: 'acme', repo: 'connector-x' });
    expect(data.full_name).toBe('acme/connector-x');
    const [tokenRequest, apiRequest] = api.received;
    expect(tokenRequest?.method).toBe('POST');
    expect(tokenRequest?.path).toBe('/app/installations/42/access_tokens');
    expect(String(tokenRequest?.headers.authorization)).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(apiRequest?.path).toBe('/repos/acme/connector-x');
    expect(apiRequest?.headers.authorization).toBe('token ghs_installation_token_0001');
    // The private key is a secret from the moment the client exists.
    expect(redact(`key: ${pem}`)).not.toContain(pem.split('\n')[1]);
  });
});
