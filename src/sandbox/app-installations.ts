// GitHub Apps in the sandbox: an App's RS256 JWT (signed with its private key) is traded for an installation token.

import { createPublicKey, createVerify, type KeyObject, randomBytes } from 'node:crypto';
import { registerSecret } from '../core/redact.js';

/** What an installation's tokens may see, like a personal token's grant. */
export interface InstallationGrant {
  orgs: string[] | '*';
  /** Reported as the token's permissions (default contents, metadata, pull requests and statuses). */
  permissions?: Record<string, 'read' | 'write' | 'admin'>;
}

/** An App the sandbox knows: its public key (PEM; the private key's public half is fine too) and installations. */
export interface AppRegistration {
  publicKey: string | KeyObject;
  installations: Record<string, InstallationGrant>;
}

export interface MintedToken {
  token: string;
  expiresAt: string;
  permissions: Record<string, string>;
  grant: InstallationGrant;
}

const DEFAULT_PERMISSIONS = { contents: 'write', metadata: 'read', pull_requests: 'write', statuses: 'write' } as const;
/** GitHub refuses JWTs that live longer than ten minutes, and allows a minute of clock drift. */
const MAX_JWT_SECONDS = 600;
const DRIFT_SECONDS = 60;

export class AppJwtError extends Error {}

export class AppInstallations {
  private readonly apps = new Map<string, { key: KeyObject; installations: Record<string, InstallationGrant> }>();

  constructor(
    registrations: Record<string, AppRegistration>,
    /** Makes a minted token usable (the sandbox adds it to its tokens). */
    private readonly accept: (token: string, grant: InstallationGrant) => void,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    for (const [appId, app] of Object.entries(registrations)) {
      const key = typeof app.publicKey === 'string' ? createPublicKey(app.publicKey) : createPublicKey(app.publicKey);
      this.apps.set(String(appId), { key, installations: app.installations });
    }
  }

  /** The App id a well-formed, correctly signed, unexpired JWT speaks for; throws AppJwtError with GitHub's words. */
  verify(jwt: string): string {
    const parts = jwt.split('.');
    if (parts.length !== 3) throw new AppJwtError('A JSON web token could not be decoded');
    const [head, body, signature] = parts as [string, string, string];
    let header: { alg?: unknown };
    let claims: { iss?: unknown; iat?: unknown; exp?: unknown };
    try {
      header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw new AppJwtError('A JSON web token could not be decoded');
    }
    if (header.alg !== 'RS256') throw new AppJwtError("'alg' must be RS256");
    const appId = String(claims.iss ?? '');
    const app = this.apps.get(appId);
    if (!app) throw new AppJwtError(`Integration not found`);
    const valid = createVerify('RSA-SHA256')
      .update(`${head}.${body}`)
      .verify(app.key, Buffer.from(signature, 'base64url'));
    if (!valid) throw new AppJwtError('A JSON web token could not be decoded');
    const now = this.nowSeconds();
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!Number.isFinite(iat) || iat > now + DRIFT_SECONDS)
      throw new AppJwtError("'Issued at' claim ('iat') must be an Integer representing a time in the past");
    if (!Number.isFinite(exp) || exp <= now)
      throw new AppJwtError("'Expiration time' claim ('exp') is too far in the past");
    if (exp - iat > MAX_JWT_SECONDS + DRIFT_SECONDS) {
      throw new AppJwtError("'Expiration time' claim ('exp') is too far in the future");
    }
    return appId;
  }

  /** A JWT only ever authenticates as its App: it reaches /app routes and no repository. */
  isJwt(token: string): boolean {
    return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
  }

  /** A fresh installation token for an installation of the App the JWT speaks for (null: no such installation). */
  mint(jwt: string, installationId: string): MintedToken | null {
    const appId = this.verify(jwt);
    const grant = this.apps.get(appId)?.installations[installationId];
    if (!grant) return null;
    const token = `ghs_${randomBytes(18).toString('base64url')}`;
    // A secret from the moment it exists: nothing the sandbox logs may show it.
    registerSecret(token);
    this.accept(token, grant);
    return {
      token,
      expiresAt: new Date((this.nowSeconds() + 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      permissions: { ...(grant.permissions ?? DEFAULT_PERMISSIONS) },
      grant,
    };
  }
}
