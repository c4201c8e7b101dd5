// GitHub App routes: trade the App's JWT for an installation access token.

import { AppJwtError } from '../app-installations.js';
import { HttpError } from '../rest-errors.js';
import type { RouteDef } from '../router.js';
import type { Services } from '../services.js';

export const appRoutes: RouteDef<Services>[] = [
  {
    method: 'POST',
    template: '/app/installations/{installation_id}/access_tokens',
    async handler(ctx) {
      let minted: ReturnType<Services['apps']['mint']>;
      try {
        minted = ctx.sandbox.apps.mint(ctx.token, ctx.params['installation_id'] ?? '');
      } catch (err) {
        if (err instanceof AppJwtError) throw new HttpError(401, err.message);
        throw err;
      }
      if (!minted) throw new HttpError(404, 'Not Found');
      return {
        status: 201,
        body: {
          token: minted.token,
          expires_at: minted.expiresAt,
          permissions: minted.permissions,
          repository_selection: 'all',
        },
      };
    },
  },
];
