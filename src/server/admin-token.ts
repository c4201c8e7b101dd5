// Guards the API's write routes with `Authorization: Bearer $CUTTER_API_TOKEN`, compared in constant time.

import { createHash, timingSafeEqual } from 'node:crypto';
import { registerSecret } from '../core/redact.js';

export interface AdminDenial {
  status: 401 | 403;
  error: string;
  message: string;
}

export interface AdminGate {
  /** null when allowed, otherwise the answer to send. */
  check(authorization: string | undefined): AdminDenial | null;
}

// Hashing first gives equal-length buffers, so the comparison time does not reveal the token's length either.
const digest = (value: string) => createHash('sha256').update(value).digest();

export function adminGate(token: string | undefined): AdminGate {
  if (!token) {
    return {
      check: () => ({
        status: 403,
        error: 'admin_disabled',
        message: 'write routes are disabled: start the server with CUTTER_API_TOKEN set',
      }),
    };
  }
  registerSecret(token);
  const expected = digest(token);
  return {
    check(authorization) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
        return { status: 401, error: 'unauthorized', message: 'send Authorization: Bearer $CUTTER_API_TOKEN' };
      }
      return null;
    },
  };
}
