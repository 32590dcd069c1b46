/*
 * The exchange screen: goods come back from a past sale (found by its receipt barcode or number, as
 * on the returns screen: GET returns/lookup/) and new goods go out, in one operation (POST
 * exchanges/, Idempotency-Key = the new sale's uuid). The screen shows the difference: the customer
 * pays it (cash or card) or gets it back (original payment or store credit). The server recomputes
 * every figure; the screen's are the same rules on the lookup's line totals and the quote.
 * An exchange needs the network (the return is checked against the server's sale).
 */
import { api, errorText, uuid } from "./api.js";
import { findByCode, lookupCode, search } from "./catalog.js";
import { CONFIG } from "./config.js";
import { t } from "./i18n.js";
import { onEnter } from "./screens.js";
import { state } from "./state.js";
import { $, clearErrorToast, el, fromCents, money, showError, toCents } from "./ui.js";

var found = null; // the lookup's answer
var proof = { sale: "", contact: "" };
var back = []; // {sku, name, returnable, sold, total (cents of the sold units)}
var fresh = []; // {sku, name, quantity}
var newTotal = 0; // cents: the quote's total of the new items (the local prices until it comes)
var quoteSeq = 0;
var saleUuid = null; // one uuid per exchange attempt: a retry after a lost answer is not a second exchange

function backValue() {
  return back.reduce(function (sum, line) {
    var qty = Number(line.input.value || 0);
    if (!qty || !line.sold) return sum;
    return sum + Math.round((line.total * qty) / line.sold);
  }, 0);
}

function backLines() {
  return back
    .filter(function (line) {
      return Number(line.input.value || 0) > 0;
    })
    .map(function (line) {
      return { sku: line.sku, quantity: Number(line.input.value), condition: line.condition.value };
    });
}

function newLines() {
  return fresh.map(function (line) {
    return { sku: line.sku, quantity: line.quantity };
  });
}

function localNewTotal() {
  return fresh.reduce(function (sum, line) {
    var item = state.catalog.get(line.sku);
    return sum + (item ? toCents(item.price_gross) : 0) * line.quantity;
  }, 0);
}

function renderSum() {
  var value = backValue();
  var diff = newTotal - value;
  $("x-back").textContent = money(value);
  $("x-new").textContent = money(newTotal);
  $("x-diff-label").textContent = diff > 0 ? t("exchange_customer_pays") : diff < 0 ? t("exchange_refund") : t("exchange_even");
  $("x-diff").textContent = money(Math.abs(diff));
  $("x-pay").hidden = !(diff > 0);
  $("x-refund").hidden = !(diff < 0);
  var bad = back.some(function (line) {
    var qty = Number(line.input.value || 0);
    return !Number.isInteger(qty) || qty < 0 || qty > line.returnable;
  });
  $("exchange-complete").disabled = bad || !backLines().length || !fresh.length;
}

function requote() {
  newTotal = localNewTotal();
  renderSum();
  if (!fresh.length || !state.online) return;
  var seq = ++quoteSeq;
  api("POST", "quote/", { lines: newLines(), coupon: "", customer: null }).then(
    function (data) {
      if (seq !== quoteSeq) return;
      var totals = (data && (data.totals || data)) || {};
      var total = totals.total_gross !== undefined ? totals.total_gross : totals.total;
      if (total !== undefined && total !== null) newTotal = toCents(total);
      renderSum();
    },
    function () {
      /* the local prices stay; the server checks at the end */
    }
  );
}

function qtyButtons(input, max, onChange, name) {
  return [
    el("button", {
      type: "button",
      class: "qty__btn",
      text: "−",
      "aria-label": t("less", { name: name }),
      onclick: function () {
        input.value = String(Math.max(Number(input.value || 0) - 1, 0));
        onChange();
      },
    }),
    input,
    el("button", {
      type: "button",
      class: "qty__btn",
      text: "+",
      "aria-label": t("more", { name: name }),
      onclick: function () {
        input.value = String(Math.min(Number(input.value || 0) + 1, max));
        onChange();
      },
    }),
  ];
}

function renderBack() {
  var body = $("exchange-back");
  body.textContent = "";
  back.forEach(function (line) {
    var dead = line.returnable <= 0;
    line.input = el("input", {
      type: "number",
      class: "input input--qty",
      min: "0",
      max: String(line.returnable),
      value: "0",
      "data-exchange-back": line.sku,
      "aria-label": t("return_qty_for", { name: line.name }),
      disabled: dead,
      oninput: renderSum,
    });
    line.condition = el("select", { class: "input", "data-exchange-condition": line.sku, "aria-label": t("condition") }, [
      el("option", { value: "resellable", text: t("resellable") }),
      el("option", { value: "damaged", text: t("damaged") }),
    ]);
    var buttons = qtyButtons(line.input, line.returnable, renderSum, line.name);
    if (dead) {
      buttons.forEach(function (node) {
        node.disabled = true;
      });
    }
    body.appendChild(
      el("tr", { "data-sku": line.sku }, [
        el("td", { class: "cell-name" }, [el("strong", { text: line.name }), el("br"), el("span", { class: "muted", text: line.sku })]),
        el("td", { class: "num", text: String(line.returnable) }),
        el("td", { class: "return-qty" }, buttons),
        el("td", null, [line.condition]),
      ])
    );
  });
}

function renderNew() {
  var body = $("exchange-new");
  body.textContent = "";
  fresh.forEach(function (line) {
    var item = state.catalog.get(line.sku);
    var unit = item ? toCents(item.price_gross) : 0;
    var input = el("input", {
      type: "number",
      class: "input input--qty",
      min: "0",
      max: "999",
      value: String(line.quantity),
      "data-exchange-new": line.sku,
      "aria-label": t("qty_for", { name: line.name }),
    });
    function changed() {
      var qty = Math.max(Math.min(Number(input.value || 0), 999), 0);
      line.quantity = Number.isInteger(qty) ? qty : 0;
      if (!line.quantity) {
        fresh = fresh.filter(function (other) {
          return other !== line;
        });
      }
      renderNew();
      requote();
    }
    input.addEventListener("change", changed);
    body.appendChild(
      el("tr", { "data-sku": line.sku }, [
        el("td", { class: "cell-name" }, [el("strong", { text: line.name }), el("br"), el("span", { class: "muted", text: line.sku })]),
        el("td", { class: "return-qty" }, qtyButtons(input, 999, changed, line.name)),
        el("td", { class: "num", text: money(unit * line.quantity) }),
      ])
    );
  });
}

function addNew(item) {
  var line = fresh.find(function (other) {
    return other.sku === item.sku;
  });
  if (line) line.quantity += 1;
  else fresh.push({ sku: item.sku, name: item.name || item.sku, quantity: 1 });
  showError("exchange-error", "");
  clearErrorToast();
  renderNew();
  requote();
}

function scanNew(event) {
  event.preventDefault();
  var value = $("exchange-code").value.trim();
  if (!value) return;
  $("exchange-code").value = "";
  var item = findByCode(value);
  if (!item) {
    var hits = search(value);
    if (hits.length === 1) item = hits[0];
  }
  if (item) return addNew(item);
  lookupCode(value).then(function (remote) {
    if (remote) addNew(remote);
    else showError("exchange-error", t("unknown_barcode", { code: value }));
  });
}

function findSale(event) {
  event.preventDefault();
  var number = $("exchange-number").value.trim().toUpperCase();
  var contact = $("exchange-contact").value.trim();
  showError("exchange-error", "");
  $("exchange-done").hidden = true;
  if (!number) return;
  if (!state.online) return showError("exchange-error", t("needs_network"));
  var query = "returns/lookup/?sale=" + encodeURIComponent(number);
  if (contact) query += "&contact=" + encodeURIComponent(contact);
  api("GET", query).then(
    function (data) {
      found = data;
      proof = { sale: number, contact: contact };
      saleUuid = uuid();
      back = (data.lines || []).map(function (line) {
        return {
          sku: line.sku,
          name: line.name || line.sku,
          sold: Number(line.sold),
          returnable: Number(line.returnable),
          total: toCents(line.total_gross),
        };
      });
      fresh = [];
      $("exchange-back-title").textContent = t("exchange_back_from", { number: data.number || number });
      $("exchange-body").hidden = false;
      renderBack();
      renderNew();
      requote();
      $("exchange-code").focus();
    },
    function (error) {
      $("exchange-body").hidden = true;
      showError("exchange-error", error.status === 404 ? t("sale_not_found", { number: number }) : errorText(error));
    }
  );
}

function complete() {
  var lines = backLines();
  if (!found || !lines.length || !fresh.length) return;
  var diff = newTotal - backValue();
  var tenders = [];
  if (diff > 0) {
    var kind = document.querySelector('input[name="x-tender"]:checked').value;
    tenders.push({ kind: kind, amount: fromCents(diff), reference: kind === "card" ? $("x-reference").value.trim() : "" });
  }
  var body = {
    uuid: saleUuid,
    session: state.session.id,
    sale: proof.sale,
    contact: proof.contact,
    return_lines: lines,
    lines: newLines(),
    tenders: tenders,
    refund: document.querySelector('input[name="x-refund"]:checked').value,
    refund_reference: "",
  };
  $("exchange-complete").disabled = true;
  showError("exchange-error", "");
  api("POST", "exchanges/", body, { "Idempotency-Key": saleUuid }).then(showDone, function (error) {
    showError("exchange-error", errorText(error));
    renderSum();
  });
}

function showDone(data) {
  var returned = data.returned || {};
  var sale = data.sale || {};
  var done = $("exchange-done");
  done.textContent = "";
  done.appendChild(el("p", { class: "done__title", text: t("exchange_done", { ret: returned.number, sale: sale.number }) }));
  if (toCents(sale.change_due) > 0) done.appendChild(el("p", { class: "done__change", text: t("change_due_amount", { amount: money(toCents(sale.change_due)) }) }));
  (returned.refunds || []).forEach(function (refund) {
    if (refund.tender === "exchange") return; // the goods' value that paid the new sale
    done.appendChild(el("p", { text: t("exchange_refunded", { tender: t("tender_" + refund.tender), amount: money(toCents(refund.amount)) }) }));
  });
  if (returned.store_credit && returned.store_credit.code) {
    done.appendChild(el("p", { class: "done__change", text: t("store_credit_code", { code: returned.store_credit.code }) }));
  }
  done.appendChild(
    el("div", { class: "actions" }, [
      el("a", { class: "btn", href: sale.receipt_url || CONFIG.urls.receipt + encodeURIComponent(sale.number) + "/", target: "_blank", rel: "noopener", text: t("print_receipt") }),
      el("a", { class: "btn", href: CONFIG.urls.returns + encodeURIComponent(returned.number) + "/receipt/", target: "_blank", rel: "noopener", text: t("print_return_receipt") }),
      el("button", { type: "button", class: "btn btn--primary", "data-action": "exchange-reset", text: t("exchange_next") }),
    ])
  );
  done.hidden = false;
  $("exchange-body").hidden = true;
  found = null;
  back = [];
  fresh = [];
  $("exchange-number").value = "";
  $("exchange-contact").value = "";
  clearErrorToast();
}

export function reset() {
  found = null;
  back = [];
  fresh = [];
  newTotal = 0;
  $("exchange-body").hidden = true;
  $("exchange-done").hidden = true;
  $("exchange-number").value = "";
  $("exchange-contact").value = "";
  showError("exchange-error", "");
  $("exchange-number").focus();
}

export function init() {
  onEnter("exchange", function () {
    window.setTimeout(function () {
      if ($("exchange-body").hidden) $("exchange-number").focus();
    }, 0);
  });
  $("exchange-find").addEventListener("submit", findSale);
  $("exchange-scan").addEventListener("submit", scanNew);
  $("exchange-complete").addEventListener("click", complete);
}
