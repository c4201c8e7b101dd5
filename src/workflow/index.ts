// The workflow engine's public surface: shapes, flows, the engine.

export { describeError, Engine, type EngineOptions } from './engine.js';
export { defineFlow } from './flow.js';
export { applyPatch } from './patch.js';
export { describeShape, matchesShape, projectShape, type Shape, type ShapeValue } from './shape.js';
export { backoffDelay, isTransient, retryAfterMs } from './transient.js';
export type * from './types.js';
