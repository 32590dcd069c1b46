/*
 * The barcode field (#scan): a USB scanner types an EAN-13 then Enter; a cashier types a name or a
 * SKU and picks from #search-results. Enter on a receipt's number opens the return; on a loyalty
 * card number (a customer's QR code) identifies the customer. The field keeps the focus on the sale
 * screen: a tap anywhere that is not a field or a dialog gives it back.
 */
import { addToCart } from "./cart.js";
import { findByCode, lookupCode, optionsText, search, searchServer } from "./catalog.js";
import { identifyByCard } from "./customer.js";
import { t } from "./i18n.js";
import { focusScan, go } from "./screens.js";
import { state } from "./state.js";
import { availabilityNode, Live } from "./stock.js";
import { $, el, hideToast, money, toast, toCents } from "./ui.js";

var LOYALTY_CARD = /^LC\d{6,}$/i;
// A sale or order number, with the check code of a web order confirmation's barcode (orders.proof).
var SALE_NUMBER = /^[SW]\d{4}-\d{6}(\.[A-Z2-7]{8})?$/i;
var RMA_NUMBER = /^RMA-\d{4}-\d{6}$/i; // a web return asked on the portal (rma.js)

var searchTimer = null;

function renderResults(items, query) {
  var list = $("search-results");
  list.textContent = "";
  if (!query) {
    list.hidden = true;
    return;
  }
  if (!items.length) {
    list.appendChild(el("li", { class: "results__none", text: t("no_match", { q: query }) }));
  }
  items.forEach(function (item) {
    list.appendChild(
      el("li", { "data-sku": item.sku }, [
        el(
          "button",
          {
            type: "button",
            class: "result",
            onclick: function () {
              scanned(item);
              $("scan").value = "";
              renderResults([], "");
              focusScan();
            },
          },
          [
            el("span", { class: "result__name" }, [
              el("strong", { text: item.name }),
              el("span", { class: "muted", text: " " + optionsText(item) }),
            ]),
            el("span", { class: "result__sku", text: item.sku }),
            availabilityNode(item.sku),
            el("span", { class: "result__price", text: money(toCents(item.price_gross)) }),
          ]
        ),
      ])
    );
  });
  list.hidden = false;
  Live.watch();
}

/* A scan found its item: into the cart, and the last error toast goes (it no longer applies). */
function scanned(item) {
  hideToast();
  addToCart(item);
}

/* The server's answer for a code the tablet's catalog does not have (yet). */
function askServer(value) {
  lookupCode(value).then(function (item) {
    if (item) scanned(item);
    else toast(t("unknown_barcode", { code: value }), "error");
  });
}

/* Empty the field and the results: the code was dealt with. */
function clearScan() {
  $("scan").value = "";
  renderResults([], "");
}

function submitScan(event) {
  event.preventDefault();
  var value = $("scan").value.trim();
  if (!value) return;
  window.clearTimeout(searchTimer);
  var item = findByCode(value);
  if (item) {
    scanned(item);
    clearScan();
    return;
  }
  if ((SALE_NUMBER.test(value) || RMA_NUMBER.test(value)) && !state.cart.length) {
    // A receipt's barcode scanned at the sale screen: the customer is bringing something back.
    clearScan();
    go("returns");
    $("return-number").value = value.toUpperCase();
    $("return-find").requestSubmit();
    return;
  }
  if (LOYALTY_CARD.test(value)) {
    // The QR code of a customer's web account (their loyalty card number), read by the scanner.
    clearScan();
    identifyByCard(value);
    return;
  }
  if (state.catalogLoading && !/\s/.test(value)) {
    // The catalog is still (down)loading: what the tablet lacks yet, the server knows.
    clearScan();
    askServer(value);
    return;
  }
  var found = search(value);
  if (found.length === 1) {
    scanned(found[0]);
    clearScan();
    return;
  }
  if (!found.length && !/\s/.test(value)) {
    // A barcode or SKU the offline catalog does not know yet: the server may.
    clearScan();
    askServer(value);
    return;
  }
  if (/^\d{8,14}$/.test(value)) {
    toast(t("unknown_barcode", { code: value }), "error");
    clearScan();
    return;
  }
  renderResults(found, value);
}

export function init() {
  $("scan").addEventListener("input", function () {
    var value = $("scan").value;
    window.clearTimeout(searchTimer);
    if (/^\d+$/.test(value.trim()) || value.trim().length < 2) {
      renderResults([], ""); // a scanner is typing digits: no flicker of results
      return;
    }
    searchTimer = window.setTimeout(function () {
      var text = value.trim();
      renderResults(search(value), text); // at once, from the tablet's catalog
      searchServer(text).then(function (items) {
        // the shop's engine forgives typos: its answer replaces the list if the text is still there
        if (items && items.length && $("scan").value.trim() === text) renderResults(items, text);
      });
    }, 120);
  });

  $("scan-form").addEventListener("submit", submitScan);

  $("scan").addEventListener("keydown", function (event) {
    if (event.key === "Escape") clearScan();
  });

  document.addEventListener("click", function (event) {
    if (state.screen !== "sale") return;
    var target = event.target;
    if (target.closest("input, select, textarea, dialog, a, .pay")) return;
    window.setTimeout(focusScan, 0);
  });
  $("scan").addEventListener("blur", function () {
    window.setTimeout(function () {
      var active = document.activeElement;
      if (!active || active === document.body) focusScan();
    }, 200);
  });
}
