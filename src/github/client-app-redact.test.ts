// Installation tokens minted by @octokit/auth-app are registered with the redactor the moment they are minted.

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

// The older installation-token shape (v1. + 40 hex): no built-in token pattern masks it, only registration does.
const MINTED = 'v1.0123456789abcdef0123456789abcdef01234567';

describe('GitHub App installation tokens', () => {
  it('never appear in a log line or an error once minted', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(redact(`token ${MINTED}`)).toContain(MINTED);
    api.answerNext(
      {
        status: 201,
        body: { token: MINTED, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} },
      },
      // A server error that echoes the credential it was sent.
      { status: 422, body: { message: `Validation Failed for token ${MINTED}`, errors: [] } },
    );
    const logged: string[] = [];
    const log = (m: string) => logged.push(m);
    const gh = await createGitHubClient({
      baseUrl: api.url,
      app: { appId: 7, privateKey: pem, installationId: 99 },
      env: {},
      retries: 0,
      logger: { debug: log, info: log, warn: log, error: log },
    });
    const error = await gh.rest.repos.get({ owner: 'acme', repo: 'x' }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(api.received[1]?.headers.authorization).toBe(`token ${MINTED}`);
    expect(error).toBeInstanceOf(Error);
    const seen = [String((error as Error).message), JSON.stringify(error), ...logged].join('\n');
    expect(seen).not.toContain(MINTED);
    expect(redact(`token ${MINTED}`)).not.toContain(MINTED);
  });
});
