import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatHelp } from '../src/index.js';

describe('formatHelp', () => {
  it('aligns option descriptions', () => {
    const text = formatHelp('build', {
      options: [
        { name: 'verbose', alias: 'v', type: 'boolean', description: 'Log more' },
        { name: 'out', type: 'string', description: 'Output directory' },
      ],
    });
    assert.equal(text, ['Usage: build [options]', '', 'Options:', '  -v, --verbose       Log more', '      --out <string>  Output directory'].join('\n'));
  });
});
