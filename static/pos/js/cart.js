/*
 * The cart: its lines on screen (#cart-lines, one <tr data-sku> each: price, quantity buttons,
 * total, discount and remove), and the server's quote of it (POST quote/: promotions, coupon,
 * customer prices), asked again, debounced, after every change.
 */
import { api, errorText } from "./api.js";
import { optionsText } from "./catalog.js";
import { CONFIG } from "./config.js";
import { openDiscount } from "./discount.js";
import { t } from "./i18n.js";
import { lineOf, localLineTotal, quoteBody, quoteLine, readQuote } from "./sale.js";
import { focusScan } from "./screens.js";
import { state } from "./state.js";
import { availabilityNode, Live } from "./stock.js";
import { renderTotals, showCouponState } from "./totals.js";
import { $, clearErrorToast, el, flash, money, toast, toCents } from "./ui.js";

export function addToCart(item) {
  if (state.paying) return;
  clearErrorToast(); // the last error (an unknown barcode...) no longer applies
  var line = lineOf(item.sku);
  if (line) line.quantity += 1;
  else state.cart.push({ sku: item.sku, quantity: 1, discount: 0, discount_reason: "" });
  hideDone();
  renderCart();
  requote();
  Live.watch();
  var row = document.querySelector('#cart-lines tr[data-sku="' + CSS.escape(item.sku) + '"]');
  if (row) {
    flash(row);
    row.scrollIntoView({ block: "nearest" });
  }
}

/* The first item of the next sale hides the last sale's "done" panel. */
export function hideDone() {
  if ($("done").hidden) return;
  $("done").hidden = true;
  $("sale-actions").hidden = false;
}

function changeQuantity(sku, delta) {
  var line = lineOf(sku);
  if (!line || state.paying) return;
  line.quantity += delta;
  if (line.quantity <= 0) {
    state.cart = state.cart.filter(function (other) {
      return other !== line;
    });
  }
  renderCart();
  requote();
}

function removeLine(sku) {
  if (state.paying) return;
  state.cart = state.cart.filter(function (line) {
    return line.sku !== sku;
  });
  renderCart();
  requote();
}

function discountChanged() {
  renderCart();
  requote();
}

export function renderCart() {
  var body = $("cart-lines");
  body.textContent = "";
  state.cart.forEach(function (line) {
    var item = state.catalog.get(line.sku) || { name: line.sku, sku: line.sku, price_gross: "0" };
    var quoted = quoteLine(line.sku);
    var unit = quoted && quoted.unit !== null ? quoted.unit : toCents(item.price_gross);
    var total = quoted && quoted.total !== null ? quoted.total : localLineTotal(line);
    var notes = [];
    if (line.discount) {
      notes.push(el("span", { class: "tag tag--discount", text: "−" + money(line.discount) + " · " + line.discount_reason }));
    }
    if (quoted && quoted.promotion) notes.push(el("span", { class: "tag tag--promo", text: quoted.promotion }));
    body.appendChild(
      el("tr", { "data-sku": line.sku }, [
        el("td", { class: "cart__item" }, [
          el("span", { class: "cart__name", text: item.name }),
          el("span", { class: "cart__meta" }, [
            el("span", { class: "muted", text: [optionsText(item), line.sku].filter(Boolean).join(" · ") }),
          ]),
          availabilityNode(line.sku),
          notes.length ? el("span", { class: "cart__notes" }, notes) : null,
        ]),
        el("td", { class: "num", text: money(unit) }),
        el("td", { class: "qty-col" }, [
          el("div", { class: "qty" }, [
            el("button", {
              type: "button",
              class: "qty__btn",
              "aria-label": t("less", { name: item.name }),
              text: "−",
              disabled: state.paying,
              onclick: function () {
                changeQuantity(line.sku, -1);
              },
            }),
            el("span", { class: "qty__n", "data-qty": line.sku, text: String(line.quantity) }),
            el("button", {
              type: "button",
              class: "qty__btn",
              "aria-label": t("more", { name: item.name }),
              text: "+",
              disabled: state.paying,
              onclick: function () {
                changeQuantity(line.sku, 1);
              },
            }),
          ]),
        ]),
        el("td", { class: "num cart__total", text: money(total) }),
        el("td", { class: "cart__actions" }, [
          CONFIG.perms.give_discount
            ? el("button", {
                type: "button",
                class: "btn btn--small",
                text: "%",
                title: t("discount"),
                "aria-label": t("discount_for", { name: item.name }),
                disabled: state.paying,
                onclick: function () {
                  openDiscount(line, discountChanged);
                },
              })
            : null,
          el("button", {
            type: "button",
            class: "btn btn--small btn--ghost",
            text: "✕",
            "aria-label": t("remove_line", { name: item.name }),
            disabled: state.paying,
            onclick: function () {
              removeLine(line.sku);
            },
          }),
        ]),
      ])
    );
  });
  $("cart-empty").hidden = state.cart.length > 0;
  renderTotals();
}

var quoteTimer = null;

/* Ask the server for the cart's prices again (debounced; an answer to an older cart is dropped). */
export function requote() {
  window.clearTimeout(quoteTimer);
  var seq = ++state.quoteSeq;
  state.quote = null;
  renderCart();
  if (!state.cart.length || !state.online) return;
  quoteTimer = window.setTimeout(function () {
    api("POST", "quote/", quoteBody()).then(
      function (data) {
        if (seq !== state.quoteSeq) return;
        state.quote = readQuote(data || {});
        showCouponState();
        renderCart();
      },
      function (error) {
        if (seq !== state.quoteSeq) return;
        if (error.network) return renderTotals();
        if (state.coupon && /coupon/.test(error.code || "")) {
          showCouponState(errorText(error));
          state.coupon = "";
          $("coupon").value = "";
          requote();
          return;
        }
        toast(errorText(error), "error");
      }
    );
  }, 200);
}

export function init() {
  $("coupon-form").addEventListener("submit", function (event) {
    event.preventDefault();
    state.coupon = $("coupon").value.trim().toUpperCase();
    showCouponState();
    requote();
    focusScan();
  });
}
