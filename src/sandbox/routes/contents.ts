// Contents routes: read a file or directory at a ref, and create/update a file as a real commit (GitOps edits).

import { ZERO_SHA } from '../git-store.js';
import { objectBody, optString, reqString } from '../request-input.js';
import { HttpError, notFound, unprocessable } from '../rest-errors.js';
import type { RouteDef } from '../router.js';
import type { Ctx, Services } from '../services.js';
import { gitCommit } from '../shapes.js';

function target(ctx: Ctx) {
  const repo = ctx.sandbox.repo(ctx, ctx.params['owner'] ?? '', ctx.params['repo'] ?? '');
  return { owner: repo.owner, name: repo.name, repo };
}

function entry(
  ctx: Ctx,
  owner: string,
  name: string,
  ref: string,
  e: { path: string; sha: string; size: number; type: 'file' | 'dir' },
) {
  const l = ctx.sandbox.links;
  const url = `${l.api}/repos/${owner}/${name}/contents/${e.path}?ref=${encodeURIComponent(ref)}`;
  const git_url = `${l.api}/repos/${owner}/${name}/git/${e.type === 'dir' ? 'trees' : 'blobs'}/${e.sha}`;
  const html_url = `${l.api}/${owner}/${name}/${e.type === 'dir' ? 'tree' : 'blob'}/${ref}/${e.path}`;
  return {
    type: e.type,
    size: e.size,
    name: e.path.split('/').pop() ?? e.path,
    path: e.path,
    sha: e.sha,
    url,
    git_url,
    html_url,
    download_url: e.type === 'file' ? `${l.api}/${owner}/${name}/raw/${ref}/${e.path}` : null,
    _links: { self: url, git: git_url, html: html_url },
  };
}

function person(v: unknown, fallback: { name: string; email: string; date: string }) {
  if (!v || typeof v !== 'object') return fallback;
  const o = v as Record<string, unknown>;
  const name = typeof o['name'] === 'string' ? o['name'] : fallback.name;
  const email = typeof o['email'] === 'string' ? o['email'] : fallback.email;
  if (/[<>\n]/.test(name + email))
    throw unprocessable("Invalid request.\n\nFor 'properties/committer', the identity is invalid.");
  return { name, email, date: fallback.date };
}

const getContent: RouteDef<Services> = {
  method: 'GET',
  template: '/repos/{owner}/{repo}/contents/{path}',
  async handler(ctx) {
    const { owner, name, repo } = target(ctx);
    const path = (ctx.params['path'] ?? '').replace(/^\/+|\/+$/g, '');
    const ref = ctx.query.get('ref') ?? repo.default_branch;
    const commit = await ctx.sandbox.git.resolveCommit(owner, name, ref);
    if (!commit) throw notFound();
    const obj = await ctx.sandbox.git.objectAt(owner, name, commit, path);
    if (!obj) throw notFound();
    if (obj.type === 'tree') {
      const entries = (await ctx.sandbox.git.lsTree(owner, name, commit, path)) ?? [];
      return {
        status: 200,
        body: entries
          .filter((e) => e.type !== 'commit')
          .map((e) =>
            entry(ctx, owner, name, ref, {
              path: path ? `${path}/${e.name}` : e.name,
              sha: e.sha,
              size: e.size,
              type: e.type === 'tree' ? 'dir' : 'file',
            }),
          ),
      };
    }
    const blob = await ctx.sandbox.git.readBlob(owner, name, obj.sha);
    if (!blob) throw notFound();
    // The raw media type answers with the file's bytes instead of the JSON description.
    const accept = String(ctx.headers['accept'] ?? '');
    if (/application\/vnd\.github(\.v3)?\.raw(?!\+json)/.test(accept)) {
      return { status: 200, raw: { bytes: blob, contentType: 'application/vnd.github.raw; charset=utf-8' } };
    }
    // GitHub wraps base64 at 60 characters per line.
    const content = (blob.toString('base64').match(/.{1,60}/g) ?? []).join('\n');
    return {
      status: 200,
      body: {
        ...entry(ctx, owner, name, ref, { path, sha: obj.sha, size: blob.length, type: 'file' }),
        content: `${content}\n`,
        encoding: 'base64',
      },
    };
  },
};

export const contentRoutes: RouteDef<Services>[] = [
  getContent,
  // The repository root: GitHub answers `contents` with and without an empty path alike.
  { ...getContent, template: '/repos/{owner}/{repo}/contents', specTemplate: '/repos/{owner}/{repo}/contents/{path}' },
  {
    method: 'PUT',
    template: '/repos/{owner}/{repo}/contents/{path}',
    async handler(ctx) {
      const { owner, name, repo } = target(ctx);
      const path = (ctx.params['path'] ?? '').replace(/^\/+|\/+$/g, '');
      if (
        !path ||
        path.split('/').some((s) => s === '' || s === '.' || s === '..' || s === '.git') ||
        /[\0\n\r]/.test(path)
      ) {
        throw unprocessable('path contains a malformed path component', [
          { resource: 'Commit', field: 'path', code: 'invalid' },
        ]);
      }
      const b = objectBody(ctx.body);
      const message = reqString(b, 'message');
      const encoded = reqString(b, 'content');
      if (!/^[A-Za-z0-9+/=\s]*$/.test(encoded)) throw unprocessable('content is not valid Base64');
      const content = Buffer.from(encoded, 'base64');
      const branch = optString(b, 'branch') ?? repo.default_branch;
      const git = ctx.sandbox.git;
      const parent = await git.resolveCommit(owner, name, `refs/heads/${branch}`);
      if (!parent && branch !== repo.default_branch) throw notFound();
      const existing = parent ? await git.objectAt(owner, name, parent, path) : null;
      if (existing?.type === 'tree') throw unprocessable(`${path} is a directory`);
      const sha = optString(b, 'sha');
      if (existing && sha === undefined) throw unprocessable('Invalid request.\n\n"sha" wasn\'t supplied.');
      if (existing && sha !== existing.sha) throw new HttpError(409, `${path} does not match ${sha}`);
      const now = ctx.sandbox.nowIso();
      const fallback = { name: ctx.login, email: `${ctx.login}@users.noreply.sandbox`, date: now };
      const committer = person(b['committer'], fallback);
      const author = person(b['author'], committer);
      const { commit, blob } = await git.commitFile(owner, name, { parent, path, content, message, author, committer });
      if (!(await git.updateRef(owner, name, `refs/heads/${branch}`, commit, parent ?? ZERO_SHA))) {
        throw new HttpError(409, `${path} does not match: the branch moved, try again`);
      }
      await ctx.sandbox.event({
        kind: 'refs',
        owner,
        repo: name,
        changes: [{ ref: `refs/heads/${branch}`, before: parent ?? ZERO_SHA, after: commit }],
        pusher: ctx.login,
      });
      const c = await git.readCommit(owner, name, commit);
      if (!c || !blob) throw new HttpError(500, 'commit was not written');
      const gc = gitCommit(ctx.sandbox.links, owner, name, c);
      return {
        status: existing ? 200 : 201,
        body: {
          content: entry(ctx, owner, name, branch, { path, sha: blob, size: content.length, type: 'file' }),
          commit: { ...gc, parents: gc.parents },
        },
      };
    },
  },
];
