export { loadConfig } from './load-config.js';
export { ConfigError } from './errors.js';
export { DEFAULTS } from './defaults.js';
export { deepMerge } from './merge.js';
