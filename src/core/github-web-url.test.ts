import { describe, expect, it } from 'vitest';
import { githubWebBase, repoWebUrl } from './github-web-url.js';

describe('the web address of a repository, from the configured API base URL', () => {
  it('is github.com for api.github.com', () => {
    expect(repoWebUrl('https://api.github.com', { owner: 'acme', name: 'connector-x' })).toBe(
      'https://github.com/acme/connector-x',
    );
  });

  it('is the GitHub Enterprise Server host for https://host/api/v3', () => {
    expect(repoWebUrl('https://git.acme.example/api/v3/', { owner: 'acme', name: 'x' })).toBe(
      'https://git.acme.example/acme/x',
    );
    expect(githubWebBase('https://git.acme.example:8443/api/v3')).toBe('https://git.acme.example:8443');
  });

  it('drops the api. subdomain of GHE.com', () => {
    expect(githubWebBase('https://api.acme.ghe.com')).toBe('https://acme.ghe.com');
  });

  it('keeps any other address (a sandbox serving pages at its root)', () => {
    expect(repoWebUrl('http://127.0.0.1:4010', { owner: 'acme', name: 'x' })).toBe('http://127.0.0.1:4010/acme/x');
  });
});
