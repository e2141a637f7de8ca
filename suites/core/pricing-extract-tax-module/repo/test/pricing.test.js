import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cartTotal, formatInvoice, invoiceLines } from '../src/index.js';

const cart = { items: [{ sku: 'apple', qty: 3 }, { sku: 'novel', qty: 1 }, { sku: 'lamp', qty: 2 }] };

describe('pricing', () => {
  it('totals a cart with per-line tax rounding', () => {
    const totals = cartTotal(cart, 'DE');
    assert.equal(totals.subtotal, 11857);
    assert.equal(totals.tax, 25 + 105 + 1900);
    assert.equal(totals.total, 11857 + 2030);
  });

  it('applies zero-rated categories', () => {
    assert.equal(cartTotal({ items: [{ sku: 'bread', qty: 2 }] }, 'UK').tax, 0);
    assert.equal(cartTotal({ items: [{ sku: 'lamp', qty: 1 }] }, 'US-NY').tax, 444);
  });

  it('builds invoice lines that add up to the cart total', () => {
    const lines = invoiceLines(cart, 'DE');
    assert.equal(lines.reduce((sum, line) => sum + line.gross, 0), cartTotal(cart, 'DE').total);
    assert.equal(lines[1].rate, 0.07);
  });

  it('formats an invoice', () => {
    assert.equal(formatInvoice(invoiceLines({ items: [{ sku: 'lamp', qty: 1 }] }, 'UK')), '  1 x Desk lamp            59.99');
  });

  it('rejects unknown regions and products', () => {
    assert.throws(() => cartTotal(cart, 'FR'), /unsupported region/);
    assert.throws(() => invoiceLines({ items: [{ sku: 'x', qty: 1 }] }, 'DE'), /unknown product/);
  });
});
