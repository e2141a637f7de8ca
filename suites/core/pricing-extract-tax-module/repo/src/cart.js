import { product } from './catalog.js';

const RATES = {
  'US-NY': { general: 0.08875, food: 0, books: 0.08875 },
  DE: { general: 0.19, food: 0.07, books: 0.07 },
  UK: { general: 0.2, food: 0, books: 0 },
};

/** `{ subtotal, tax, total }` in cents for `cart = { items: [{ sku, qty }] }` shipped to `region`. */
export function cartTotal(cart, region) {
  const rates = RATES[region];
  if (!rates) throw new Error(`unsupported region: ${region}`);
  let subtotal = 0;
  let tax = 0;
  for (const { sku, qty } of cart.items) {
    const item = product(sku);
    const net = item.price * qty;
    subtotal += net;
    tax += Math.round(net * rates[item.category]);
  }
  return { subtotal, tax, total: subtotal + tax };
}
