// The sandbox's REST route table: every route GitHub serves that the sandbox implements, in one list.

import type { RouteDef } from '../router.js';
import type { Services } from '../services.js';
import { accountRoutes } from './account.js';
import { appRoutes } from './apps.js';
import { commitRoutes } from './commits.js';
import { contentRoutes } from './contents.js';
import { gitDataRoutes } from './git-data.js';
import { webhookConfigRoutes } from './hooks.js';
import { pullRoutes } from './pulls.js';
import { releaseAssetRoutes } from './release-assets.js';
import { releaseRoutes } from './releases.js';
import { repoRoutes } from './repos.js';
import { statusRoutes } from './statuses.js';

export const sandboxRoutes: RouteDef<Services>[] = [
  ...accountRoutes,
  ...appRoutes,
  ...repoRoutes,
  ...gitDataRoutes,
  ...commitRoutes,
  ...releaseRoutes,
  ...releaseAssetRoutes,
  ...pullRoutes,
  ...contentRoutes,
  ...statusRoutes,
  ...webhookConfigRoutes,
];
