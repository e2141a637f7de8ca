import { readFileSync } from 'node:fs';
import { DEFAULTS } from './defaults.js';
import { ConfigError } from './errors.js';
import { deepMerge } from './merge.js';

/**
 * Builds the configuration: DEFAULTS, then the JSON file at `options.file` (if given).
 */
export function loadConfig(options = {}) {
  let config = structuredClone(DEFAULTS);
  if (options.file) {
    let parsed;
    try {
      parsed = JSON.parse(readFileSync(options.file, 'utf8'));
    } catch (error) {
      throw new ConfigError(`cannot read ${options.file}: ${error.message}`);
    }
    config = deepMerge(config, parsed);
  }
  return config;
}
