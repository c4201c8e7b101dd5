// The SandboxReader the GraphQL layer reads through: repo metadata from state, refs and commits from git.

import { runGit } from './git-store.js';
import { type CatFileEntry, catFileAcross, type ObjectRequest, parseBatch } from './object-batch.js';
import type { SandboxGitObject, SandboxRateLimit, SandboxReader } from './reader.js';
import type { Sandbox } from './server.js';
import { TickBatch } from './tick-batch.js';

const OID_RE = /^[0-9a-f]{40}$/;

export function sandboxReader(sandbox: Sandbox): SandboxReader {
  const rate = (token: string): SandboxRateLimit => {
    const p = sandbox.limits.primary(token, 'graphql');
    return { limit: p.limit, remaining: p.remaining, used: p.used, resetAt: new Date(p.resetReal * 1000) };
  };
  const headOid = async (owner: string, name: string, branch: string): Promise<string | null> => {
    const info = sandbox.repoInfo(owner, name);
    if (!info) return null;
    // from the (cached) ref listing: one git call per repo state, not one per question
    const ref = `refs/heads/${branch}`;
    return (await sandbox.git.listRefs(info.owner, info.name, ref)).find((r) => r.ref === ref)?.peeled ?? null;
  };
  // `<commit oid>:<path>` names the same object in every repo sharing a store: a page of repos asking for their
  // config file costs one `git cat-file --batch` per store, not one per repo — nor one per repo that has no such
  // file (`within`: the commit was found, so the path is absent).
  const objects = new TickBatch<ObjectRequest, CatFileEntry | null>(async (asks) => {
    const found = await catFileAcross(
      async (cwd, args, input) => (await runGit(cwd, args, { input })).stdout,
      asks,
      ['--batch'],
      (out) => parseBatch(out),
    );
    return found.map((value) => ({ status: 'fulfilled', value }) as const);
  });
  const objectAlone = async (owner: string, name: string, commit: string, path: string) => {
    const at = await sandbox.git.objectAt(owner, name, commit, path);
    if (!at) return null;
    const content = at.type === 'blob' ? await sandbox.git.readBlob(owner, name, at.sha) : null;
    return { sha: at.sha, type: at.type, content: content ?? Buffer.alloc(0) };
  };
  return {
    listRepos: async (owner) => sandbox.listRepoInfos(owner),
    getRepo: async (owner, name) => sandbox.repoInfo(owner, name),
    orgExists: (owner) => sandbox.orgExists(owner),
    canAccess: (token, owner) => sandbox.canAccess(token, owner),
    viewerLogin: (token) => sandbox.identify(token)?.login ?? null,
    headOid,
    listRefs: async (owner, name, prefix) => {
      const info = sandbox.repoInfo(owner, name);
      return info ? sandbox.listRefsForReader(info.owner, info.name, prefix) : [];
    },
    commitDate: async (owner, name, oid) => {
      const info = sandbox.repoInfo(owner, name);
      if (!info) return null;
      return (await sandbox.git.readCommit(info.owner, info.name, oid))?.committer.date ?? null;
    },
    gitObject: async (owner, name, expression): Promise<SandboxGitObject | null> => {
      const info = sandbox.repoInfo(owner, name);
      if (!info) return null;
      const colon = expression.indexOf(':');
      const rev = colon === -1 ? expression : expression.slice(0, colon);
      const path = colon === -1 ? null : expression.slice(colon + 1).replace(/^\/+|\/+$/g, '');
      const commit =
        rev === 'HEAD' || rev === ''
          ? await headOid(info.owner, info.name, info.default_branch)
          : await sandbox.git.resolveCommit(info.owner, info.name, rev);
      if (!commit || !OID_RE.test(commit)) return null;
      if (path === null) return { type: 'commit', oid: commit };
      if (path.includes('\0')) return null;
      const dir = sandbox.git.path(info.owner, info.name);
      // cat-file --batch reads one name per line and answers "<name> missing": a path with whitespace goes alone.
      const found = /\s/.test(path)
        ? await objectAlone(info.owner, info.name, commit, path)
        : await objects.load({ dir, name: path === '' ? `${commit}^{tree}` : `${commit}:${path}`, within: commit });
      if (!found) return null;
      if (found.type === 'blob') return { type: 'blob', oid: found.sha, content: Buffer.from(found.content) };
      if (found.type === 'tree' || found.type === 'commit') return { type: found.type, oid: found.sha };
      return null;
    },
    rateLimit: rate,
    chargeGraphQL: (token, cost) => {
      sandbox.limits.spend(token, 'graphql', cost);
      return rate(token);
    },
  };
}
