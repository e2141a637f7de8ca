import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULTS, deepMerge, loadConfig } from '../src/index.js';

function configFile(content) {
  const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'config.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('loadConfig', () => {
  it('returns a copy of the defaults without a file', () => {
    const config = loadConfig({ env: {} });
    assert.deepEqual(config, DEFAULTS);
    config.server.port = 1;
    assert.equal(DEFAULTS.server.port, 3000);
  });

  it('merges a JSON file over the defaults', () => {
    const config = loadConfig({ env: {}, file: configFile({ server: { port: 8080 }, log: { level: 'debug' } }) });
    assert.equal(config.server.port, 8080);
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.log.level, 'debug');
  });

  it('reports an unreadable file as a ConfigError', () => {
    assert.throws(() => loadConfig({ env: {}, file: configFile('{nope') }), ConfigError);
  });

  it('replaces arrays when merging', () => {
    assert.deepEqual(deepMerge({ a: [1, 2], b: { c: 1 } }, { a: [3] }), { a: [3], b: { c: 1 } });
  });
});
