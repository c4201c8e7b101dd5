// The sandbox's public surface: start a GitHub-compatible server over real git repos, seed it, read its state.

export type { CounterSnapshot } from './counters.js';
export type { FaultRule } from './faults.js';
export type { LimitOptions } from './limits.js';
export type { Violation } from './openapi-validator.js';
export {
  createSandbox,
  DEFAULT_ADMIN_TOKEN,
  DEFAULT_TOKEN,
  type GraphQLHandler,
  type RegisteredRepo,
  Sandbox,
  type SandboxOptions,
  type TokenGrant,
} from './server.js';
export type { RefChange, SandboxEvent } from './services.js';
export { sandboxReader } from './state-reader.js';
