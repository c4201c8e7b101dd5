import { describe, expect, it } from 'vitest';
import { webUrlFromRemote } from './remote-url.js';

describe('webUrlFromRemote', () => {
  it.each([
    ['git@github.com:acme/connector-x.git', 'https://github.com/acme/connector-x'],
    ['https://github.com/acme/connector-x.git', 'https://github.com/acme/connector-x'],
    ['https://github.com/acme/connector-x', 'https://github.com/acme/connector-x'],
    ['ssh://git@github.com/acme/connector-x.git', 'https://github.com/acme/connector-x'],
    ['ssh://git@github.com:2222/acme/x.git', 'https://github.com/acme/x'],
    ['git://github.com/acme/x.git/', 'https://github.com/acme/x'],
    ['https://ghe.example.com:8443/acme/x.git', 'https://ghe.example.com:8443/acme/x'],
  ])('turns %s into %s', (remote, web) => {
    expect(webUrlFromRemote(remote)).toBe(web);
  });

  it('strips credentials from https remotes', () => {
    const out = webUrlFromRemote('https://x-access-token:ghs_abcdefghijklmnopqrstuvwxyz@github.com/acme/x.git');
    expect(out).toBe('https://github.com/acme/x');
    expect(webUrlFromRemote('https://user:hunter22@github.com/acme/x')).not.toContain('hunter22');
  });

  it.each([
    '/srv/git/x.git',
    './x.git',
    '../x',
    'file:///srv/git/x.git',
    '',
    'https://github.com/only-owner',
    'not a url',
  ])('returns null for %j, which has no web page', (remote) => {
    expect(webUrlFromRemote(remote)).toBeNull();
  });
});
