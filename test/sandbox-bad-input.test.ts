import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startSandbox, TOKEN } from './sandbox-harness.js';

const owner = 'acme';
const repo = 'connector-bad';

describe('sandbox answers bad input like GitHub and stays unharmed', () => {
  let h: Harness;
  let head = '';
  const call = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(`${h.url}${path}`, {
      method,
      headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body }),
    });
  const refsNow = async () =>
    (await h.octokit.rest.git.listMatchingRefs({ owner, repo, ref: '' })).data.map((r) => `${r.ref}=${r.object.sha}`);

  beforeAll(async () => {
    h = await startSandbox({ maxBodyBytes: 1024 * 1024 });
    await h.octokit.rest.repos.createInOrg({ org: owner, name: repo, auto_init: true });
    head = (await h.octokit.rest.git.getRef({ owner, repo, ref: 'heads/main' })).data.object.sha;
  });
  afterAll(async () => {
    expect(h.sandbox.violations).toEqual([]);
    await h.close();
  });

  it('answers malformed JSON with 400 "Problems parsing JSON"', async () => {
    const res = await call('POST', `/repos/${owner}/${repo}/git/refs`, '{"ref": "refs/heads/x", ');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ message: 'Problems parsing JSON', documentation_url: expect.any(String) });
  });

  it('answers an unknown route with 404 "Not Found"', async () => {
    const res = await call('GET', '/repos/acme/connector-bad/no-such-thing');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ message: 'Not Found' });
  });

  it('answers a method the route does not have with 404, like GitHub', async () => {
    const res = await call('PUT', `/repos/${owner}/${repo}/git/tags`, '{}');
    expect(res.status).toBe(404);
  });

  it.each([
    ['a parent-directory component', 'refs/tags/../x'],
    ['a space', 'refs/heads/has space'],
    ['a control character', 'refs/heads/bell\u0007'],
    ['a double dot', 'refs/tags/v1..2'],
    ['no refs/ prefix', 'heads/main2'],
    ['a lock suffix', 'refs/heads/x.lock'],
  ])('refuses a ref name with %s (422) and leaves the refs alone', async (_why, ref) => {
    const before = await refsNow();
    const res = await h.octokit.rest.git.createRef({ owner, repo, ref, sha: head }).catch((e) => e);
    expect(res.status).toBe(422);
    expect(res.response.data.message).toBe('Reference name is invalid');
    expect(await refsNow()).toEqual(before);
  });

  it('refuses to create a ref that exists (422 "Reference already exists")', async () => {
    const res = await h.octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/main', sha: head }).catch((e) => e);
    expect(res.status).toBe(422);
    expect(res.response.data.message).toBe('Reference already exists');
  });

  it('refuses a ref to an object that does not exist', async () => {
    const res = await h.octokit.rest.git
      .createRef({ owner, repo, ref: 'refs/heads/ghost', sha: 'f'.repeat(40) })
      .catch((e) => e);
    expect(res.status).toBe(422);
    expect(res.response.data.message).toBe('Object does not exist');
  });

  it('says which field is missing', async () => {
    const res = await call('POST', `/repos/${owner}/${repo}/git/refs`, JSON.stringify({ ref: 'refs/heads/y' }));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toBe('Invalid request.\n\n"sha" wasn\'t supplied.');
  });

  it('refuses a release with an invalid tag name', async () => {
    const res = await h.octokit.rest.repos.createRelease({ owner, repo, tag_name: 'bad tag' }).catch((e) => e);
    expect(res.status).toBe(422);
    expect(res.response.data.errors[0]).toMatchObject({ resource: 'Release', field: 'tag_name', code: 'invalid' });
  });

  it('answers a huge body with 413 and keeps serving', async () => {
    const res = await call(
      'POST',
      `/repos/${owner}/${repo}/releases`,
      JSON.stringify({ tag_name: 'v9', body: 'x'.repeat(3 * 1024 * 1024) }),
    );
    expect(res.status).toBe(413);
    const ok = await h.octokit.rest.repos.get({ owner, repo });
    expect(ok.status).toBe(200);
    expect((await h.octokit.rest.repos.listReleases({ owner, repo })).data).toEqual([]);
  });

  it('answers a path that escapes the repository in contents with 422', async () => {
    const res = await call(
      'PUT',
      `/repos/${owner}/${repo}/contents/..%2F..%2Fescape`,
      JSON.stringify({ message: 'x', content: 'eA==' }),
    );
    expect(res.status).toBe(422);
  });
});
