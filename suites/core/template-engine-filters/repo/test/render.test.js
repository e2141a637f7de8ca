import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compile, render } from '../src/index.js';

describe('render', () => {
  it('substitutes nested values', () => {
    assert.equal(render('Hi {{ user.name }}, you have {{count}} items', { user: { name: 'Ada' }, count: 3 }), 'Hi Ada, you have 3 items');
  });

  it('escapes HTML unless triple braces are used', () => {
    assert.equal(render('{{ v }} {{{ v }}}', { v: '<b>' }), '&lt;b&gt; <b>');
  });

  it('renders missing values as empty strings', () => {
    assert.equal(compile('[{{ a.b.c }}]')({}), '[]');
  });
});
