import { product } from './catalog.js';

// Same rates as the cart; keep in sync!
const TAX_TABLE = {
  'US-NY': { general: 0.08875, food: 0, books: 0.08875 },
  DE: { general: 0.19, food: 0.07, books: 0.07 },
  UK: { general: 0.2, food: 0, books: 0 },
};

/** One line per cart item: `{ sku, name, qty, unitPrice, net, rate, tax, gross }` (cents). */
export function invoiceLines(cart, region) {
  if (!(region in TAX_TABLE)) throw new Error(`unsupported region: ${region}`);
  return cart.items.map(({ sku, qty }) => {
    const item = product(sku);
    const net = item.price * qty;
    const rate = TAX_TABLE[region][item.category];
    const tax = Math.round(net * rate);
    return { sku, name: item.name, qty, unitPrice: item.price, net, rate, tax, gross: net + tax };
  });
}

/** Renders invoice lines as fixed-width text. */
export function formatInvoice(lines) {
  const euros = (cents) => (cents / 100).toFixed(2);
  return lines.map((line) => `${String(line.qty).padStart(3)} x ${line.name.padEnd(16)} ${euros(line.gross).padStart(9)}`).join('\n');
}
