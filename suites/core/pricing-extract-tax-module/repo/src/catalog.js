/** Product catalogue: prices in cents. */
export const PRODUCTS = {
  apple: { name: 'Apple', price: 120, category: 'food' },
  bread: { name: 'Sourdough bread', price: 450, category: 'food' },
  novel: { name: 'Paperback novel', price: 1499, category: 'books' },
  lamp: { name: 'Desk lamp', price: 4999, category: 'general' },
};

export function product(sku) {
  const found = PRODUCTS[sku];
  if (!found) throw new Error(`unknown product: ${sku}`);
  return found;
}
