import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, parseArgs } from '../src/index.js';

const spec = {
  options: [
    { name: 'verbose', alias: 'v', type: 'boolean' },
    { name: 'force', alias: 'f', type: 'boolean' },
    { name: 'port', alias: 'p', type: 'number', default: 8080 },
    { name: 'define', alias: 'D', multiple: true },
    { name: 'out' },
  ],
};

describe('parseArgs', () => {
  it('parses long options with inline and separate values', () => {
    const { options } = parseArgs(['--port=3000', '--out', 'dist'], spec);
    assert.deepEqual(options, { port: 3000, define: [], out: 'dist' });
  });

  it('expands clustered short flags', () => {
    const { options, positionals } = parseArgs(['-vf', 'src'], spec);
    assert.equal(options.verbose, true);
    assert.equal(options.force, true);
    assert.deepEqual(positionals, ['src']);
  });

  it('collects repeated options marked multiple', () => {
    assert.deepEqual(parseArgs(['-D', 'a', '--define', 'b'], spec).options.define, ['a', 'b']);
  });

  it('rejects unknown options and missing values', () => {
    assert.throws(() => parseArgs(['--nope'], spec), ArgumentError);
    assert.throws(() => parseArgs(['--out'], spec), /requires a value/);
  });

  it('treats negative numbers as values', () => {
    assert.equal(parseArgs(['--port', '-1'], spec).options.port, -1);
  });
});
