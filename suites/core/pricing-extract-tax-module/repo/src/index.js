export { PRODUCTS, product } from './catalog.js';
export { cartTotal } from './cart.js';
export { invoiceLines, formatInvoice } from './invoice.js';
