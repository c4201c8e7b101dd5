// Vitest globalSetup: make sure dist/ is built before the CLI integration tests spawn `node bin/cutter.js`.
import { ensureBuilt } from './support/ensure-built.js';

export default async function setup(): Promise<void> {
  await ensureBuilt();
}
