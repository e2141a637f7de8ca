import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { csvToMarkdown, renderTable } from '../src/index.js';
import { main } from '../src/cli.js';

describe('markdown tables', () => {
  it('pads columns and escapes pipes', () => {
    assert.equal(renderTable([['Name', 'Note'], ['a|b', 'x']]), ['| Name | Note |', '| ---- | ---- |', '| a\\|b | x    |'].join('\n'));
  });

  it('aligns columns', () => {
    assert.equal(renderTable([['Item', 'Qty', 'Tag'], ['pen', '12', 'ok']], { align: ['left', 'right', 'center'] }),
      ['| Item | Qty | Tag |', '| ---- | --: | :-: |', '| pen  |  12 | ok  |'].join('\n'));
  });

  it('right-aligns numeric CSV columns', () => {
    assert.equal(csvToMarkdown('city,pop\nOslo,709000\nBergen,291000\n').split('\n')[1], '| ------ | -----: |');
  });

  it('renders JSON rows from the command line', () => {
    assert.equal(main(['--json', 'rows.json'], () => '[["a","b"],["1","2"]]'), ['| a   | b   |', '| --- | --- |', '| 1   | 2   |'].join('\n'));
  });
});
