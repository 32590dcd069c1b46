/*
 * The register's one state object, shared by every module (they read and change it in place).
 * Money is in integer cents.
 */

export var state = {
  online: navigator.onLine,
  session: null, // {id, register: {id, code, name}}
  screen: "loading",
  catalog: new Map(), // sku -> item
  byEan: new Map(), // ean13 -> item
  promotions: [],
  catalogLoading: false, // a catalog download or delta is running: scans it misses ask the server
  cart: [], // {sku, quantity, discount (cents), discount_reason}
  customer: null,
  loyalty: null, // the customer's loyalty card (tier, points, rewards, vouchers), loyalty.js
  coupon: "",
  quote: null,
  quoteSeq: 0,
  paying: false,
  tenders: [], // {kind, amount (cents), reference}
  stock: new Map(), // sku -> {LOC: {available, version}}
  queue: [],
  syncing: false,
  lastSale: null, // {number, email (the customer's), ...}: the sale-complete panel
  lookedUpSale: null, // {number, channel}: the past sale shown on the returns screen
  favourites: [], // {sku, label, position}: the sale screen's tiles (favourites.js)
};
