/*
 * The totals block of the sale screen: subtotal, discounts, total (the server's quote, or the local
 * sum while it is coming or offline), the promotions applied or in force, the coupon's state. It
 * also decides whether "Pay" can be pressed.
 */
import { t } from "./i18n.js";
import { renderPayment } from "./payment.js";
import { localTotals, saleTotal } from "./sale.js";
import { state } from "./state.js";
import { $, el, fromCents, money } from "./ui.js";

export function renderTotals() {
  var local = localTotals();
  var quote = state.quote;
  var subtotal = quote && quote.subtotal !== null ? quote.subtotal : local.subtotal;
  var total = saleTotal();
  var discount = subtotal - total;
  $("t-subtotal").textContent = state.cart.length ? money(subtotal) : "–";
  $("t-total").textContent = state.cart.length ? money(total) : "–";
  $("t-discount-row").hidden = !(state.cart.length && discount > 0);
  $("t-discount").textContent = "−" + money(discount);
  var promos = $("promos");
  promos.textContent = "";
  if (quote) {
    quote.promotions.forEach(function (promo) {
      promos.appendChild(
        el("li", { class: promo.member ? "promo promo--member" : "promo" }, [
          el("span", { text: promo.name }),
          promo.amount ? el("strong", { text: "−" + money(Math.abs(promo.amount)) }) : null,
        ])
      );
    });
  }
  var inForce = $("promos-in-force");
  inForce.hidden = !(state.promotions.length && !(quote && quote.promotions.length));
  inForce.textContent = t("promotions_in_force", {
    names: state.promotions
      .map(function (promo) {
        return promo.name;
      })
      .join(", "),
  });
  var note = $("t-note");
  if (state.cart.length && !quote) {
    note.hidden = false;
    note.textContent = state.online ? t("pricing") : t("offline_prices");
  } else {
    note.hidden = true;
  }
  $("pay-button").disabled = !state.cart.length || (state.online && !quote);
  document.body.dataset.total = fromCents(total);
  if (state.paying) renderPayment();
}

/* "Coupon X applied", the server's refusal (error), or nothing. */
export function showCouponState(error) {
  var node = $("coupon-state");
  if (error) {
    node.textContent = error;
    node.className = "coupon-state form-error";
    node.hidden = false;
  } else if (state.coupon) {
    node.textContent = t("coupon_applied", { code: state.coupon });
    node.className = "coupon-state ok";
    node.hidden = false;
  } else {
    node.hidden = true;
  }
}
