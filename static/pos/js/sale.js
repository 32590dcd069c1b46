/*
 * The figures of the sale being rung up, from the state alone (no DOM): its lines as the API wants
 * them, the server's quote read into cents, the local totals used offline, what is due and paid.
 */
import { t } from "./i18n.js";
import { state } from "./state.js";
import { fromCents, toCents } from "./ui.js";

export function lineOf(sku) {
  return state.cart.find(function (line) {
    return line.sku === sku;
  });
}

/* The quote's figures for one line ({unit, total, promotion}), or null before/without a quote. */
export function quoteLine(sku) {
  if (!state.quote || !state.quote.lines) return null;
  return state.quote.lines[sku] || null;
}

export function localLineTotal(line) {
  var item = state.catalog.get(line.sku);
  var unit = item ? toCents(item.price_gross) : 0;
  return unit * line.quantity - line.discount;
}

/* POST quote/'s answer, in cents. */
export function readQuote(data) {
  var totals = data.totals || data;
  function pick(obj, names) {
    for (var i = 0; i < names.length; i++) {
      if (obj && obj[names[i]] !== undefined && obj[names[i]] !== null) return toCents(obj[names[i]]);
    }
    return null;
  }
  var quote = {
    total: pick(totals, ["total_gross", "total"]),
    subtotal: pick(totals, ["subtotal_gross", "subtotal"]),
    discount: pick(totals, ["discount_gross", "discount_total"]),
    lines: {},
    promotions: [],
    coupon: data.coupon || null,
    vat: data.vat || data.vat_breakdown || totals.vat || [],
  };
  (data.lines || []).forEach(function (line) {
    var promotion = line.promotion || line.promotion_name || "";
    if (!promotion && Array.isArray(line.promotions)) {
      promotion = line.promotions
        .map(function (p) {
          return p.name || p.code || p;
        })
        .join(", ");
    }
    quote.lines[line.sku] = {
      unit: pick(line, ["unit_gross", "unit_price"]),
      total: pick(line, ["total_gross", "line_total"]),
      promotion: promotion,
    };
  });
  var promotionDiscount = pick(totals, ["promotion_discount"]);
  if (promotionDiscount) quote.promotions.push({ name: totals.promotion || t("promotion"), amount: promotionDiscount });
  var memberDiscount = pick(totals, ["member_discount"]);
  if (memberDiscount) quote.promotions.push({ name: totals.member || t("member_discount"), amount: memberDiscount, member: true });
  var couponDiscount = pick(totals, ["coupon_discount"]);
  if (couponDiscount) quote.promotions.push({ name: t("coupon_named", { code: state.coupon }), amount: couponDiscount });
  return quote;
}

export function saleLines() {
  return state.cart.map(function (line) {
    var out = { sku: line.sku, quantity: line.quantity };
    if (line.discount) {
      out.discount = fromCents(line.discount);
      out.discount_reason = line.discount_reason;
    }
    return out;
  });
}

export function quoteBody() {
  return {
    lines: saleLines(),
    coupon: state.coupon || "",
    customer: state.customer ? state.customer.id : null,
  };
}

export function localTotals() {
  var subtotal = 0;
  var discount = 0;
  state.cart.forEach(function (line) {
    var item = state.catalog.get(line.sku);
    subtotal += (item ? toCents(item.price_gross) : 0) * line.quantity;
    discount += line.discount;
  });
  return { subtotal: subtotal, discount: discount, total: subtotal - discount };
}

/* What the customer pays: the server's quote when we have one, else the local sum (offline). */
export function saleTotal() {
  if (state.quote && state.quote.total !== null) return state.quote.total;
  return localTotals().total;
}

export function paidTotal() {
  return state.tenders.reduce(function (sum, tender) {
    return sum + tender.amount;
  }, 0);
}
