// The SandboxReader the GraphQL layer reads through: repo metadata from state, refs and commits from git.

import type { SandboxRateLimit, SandboxReader } from './reader.js';
import type { Sandbox } from './server.js';

export function sandboxReader(sandbox: Sandbox): SandboxReader {
  const rate = (token: string): SandboxRateLimit => {
    const p = sandbox.limits.primary(token, 'graphql');
    return { limit: p.limit, remaining: p.remaining, used: p.used, resetAt: new Date(p.resetReal * 1000) };
  };
  return {
    listRepos: async (owner) => sandbox.listRepoInfos(owner),
    getRepo: async (owner, name) => sandbox.repoInfo(owner, name),
    orgExists: (owner) => sandbox.orgExists(owner),
    canAccess: (token, owner) => sandbox.canAccess(token, owner),
    viewerLogin: (token) => sandbox.identify(token)?.login ?? null,
    headOid: async (owner, name, branch) => {
      const info = sandbox.repoInfo(owner, name);
      if (!info) return null;
      // from the (cached) ref listing: one git call per repo state, not one per question
      const ref = `refs/heads/${branch}`;
      return (await sandbox.git.listRefs(info.owner, info.name, ref)).find((r) => r.ref === ref)?.peeled ?? null;
    },
    listRefs: async (owner, name, prefix) => {
      const info = sandbox.repoInfo(owner, name);
      return info ? sandbox.listRefsForReader(info.owner, info.name, prefix) : [];
    },
    commitDate: async (owner, name, oid) => {
      const info = sandbox.repoInfo(owner, name);
      if (!info) return null;
      return (await sandbox.git.readCommit(info.owner, info.name, oid))?.committer.date ?? null;
    },
    rateLimit: rate,
    chargeGraphQL: (token, cost) => {
      sandbox.limits.spend(token, 'graphql', cost);
      return rate(token);
    },
  };
}
