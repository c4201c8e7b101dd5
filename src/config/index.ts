// The configuration layer's public surface.

export { defaultConfig } from './defaults.js';
export { CONFIG_FILE_NAMES, type LoadedConfig, loadConfig, parseConfig } from './load-config.js';
export { type BranchConfig, type CutterConfig, type CutterConfigInput, configSchema } from './schema.js';
