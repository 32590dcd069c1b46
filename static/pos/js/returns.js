/*
 * Returns: find a sale by its receipt barcode or number (GET returns/lookup/), choose quantities and
 * the condition of each line, refund to the original payment or as store credit (POST returns/).
 */
import { api, errorText, uuid } from "./api.js";
import { t } from "./i18n.js";
import { CONFIG } from "./config.js";
import { findRma, init as initRma, isRmaNumber } from "./rma.js";
import { onEnter } from "./screens.js";
import { state } from "./state.js";
import { $, el, money, showError, toCents } from "./ui.js";

var returnSale = null;
// What found the sale (the number as scanned, with a web order's check code, and the customer's
// e-mail or phone): the return sends it again, the server checks the proof on both.
var returnProof = { sale: "", contact: "" };

function saleLinesOf(data) {
  return (data.lines || []).map(function (line) {
    var sold = Number(line.sold !== undefined ? line.sold : line.quantity);
    var returned = Number(line.returned_quantity || line.returned || 0);
    var returnable =
      line.returnable_quantity !== undefined
        ? Number(line.returnable_quantity)
        : line.returnable !== undefined
        ? Number(line.returnable)
        : sold - returned;
    return { sku: line.sku, name: line.name || line.product_name || line.sku, sold: sold, returnable: returnable };
  });
}

function returnRow(line) {
  var conditionName = "condition-" + line.sku;
  return el("tr", { "data-sku": line.sku }, [
    el("td", null, [el("strong", { text: line.name }), el("br"), el("span", { class: "muted", text: line.sku })]),
    el("td", { class: "num", text: String(line.sold) }),
    el("td", { class: "num", text: String(line.returnable) }),
    el("td", { class: "return-qty" }, [
      el("button", {
        type: "button",
        class: "qty__btn",
        text: "−",
        "aria-label": t("less", { name: line.name }),
        disabled: line.returnable <= 0,
        onclick: function (event) {
          var input = event.target.parentNode.querySelector("input");
          input.value = String(Math.max(Number(input.value || 0) - 1, 0));
        },
      }),
      el("input", {
        type: "number",
        class: "input input--qty",
        min: "0",
        max: String(line.returnable),
        value: "0",
        "data-return-qty": line.sku,
        "aria-label": t("return_qty_for", { name: line.name }),
        disabled: line.returnable <= 0,
      }),
      el("button", {
        type: "button",
        class: "qty__btn",
        text: "+",
        "aria-label": t("more", { name: line.name }),
        disabled: line.returnable <= 0,
        onclick: function (event) {
          var input = event.target.parentNode.querySelector("input");
          input.value = String(Math.min(Number(input.value || 0) + 1, line.returnable));
        },
      }),
    ]),
    el("td", null, [
      el("select", { class: "input", name: conditionName, "data-condition": line.sku, "aria-label": t("condition") }, [
        el("option", { value: "resellable", text: t("resellable") }),
        el("option", { value: "damaged", text: t("damaged") }),
      ]),
    ]),
  ]);
}

function findSale(event) {
  event.preventDefault();
  var number = $("return-number").value.trim().toUpperCase();
  $("return-form").hidden = true;
  $("return-done").hidden = true;
  $("rma-form").hidden = true;
  $("return-email").hidden = true;
  showError("return-error", "");
  if (!number) return;
  if (isRmaNumber(number)) return findRma(number); // a web return asked on the portal (rma.js)
  var contact = $("return-contact").value.trim();
  var query = "returns/lookup/?sale=" + encodeURIComponent(number);
  if (contact) query += "&contact=" + encodeURIComponent(contact);
  api("GET", query).then(
    function (data) {
      returnSale = data;
      returnProof = { sale: number, contact: contact };
      state.lookedUpSale = { number: data.number, channel: data.channel };
      $("return-email").hidden = data.channel !== "store"; // a till sale has a till receipt to send
      $("return-title").textContent = t("sale_of", { number: data.number || number });
      var body = $("return-lines");
      body.textContent = "";
      saleLinesOf(data).forEach(function (line) {
        body.appendChild(returnRow(line));
      });
      $("return-form").hidden = false;
    },
    function (error) {
      showError("return-error", error.status === 404 ? t("sale_not_found", { number: number }) : errorText(error));
    }
  );
}

function showReturnDone(data) {
  $("return-form").hidden = true;
  var done = $("return-done");
  done.hidden = false;
  done.textContent = "";
  var amount = data && data.total;
  done.appendChild(el("p", { class: "done__title", text: t("return_done", { number: data.number }) }));
  if (amount !== undefined) done.appendChild(el("p", { class: "done__change", text: t("refund_amount", { amount: money(toCents(amount)) }) }));
  (data.refunds || []).forEach(function (refund) {
    done.appendChild(
      el("p", { text: t("tender_" + refund.tender) + " " + money(toCents(refund.amount)) + (refund.reference ? " · " + refund.reference : "") })
    );
  });
  if (data && data.store_credit && data.store_credit.code) {
    done.appendChild(el("p", { class: "done__change", text: t("store_credit_code", { code: data.store_credit.code }) }));
  }
  (data.notes || []).forEach(function (note) {
    done.appendChild(el("p", { class: "muted", text: note }));
  });
  // The printed return receipt (and store credit note), as the sale's receipt after a sale.
  if (data && data.number) {
    done.appendChild(
      el("div", { class: "actions" }, [
        el("a", {
          class: "btn",
          id: "return-receipt",
          href: data.receipt_url || CONFIG.urls.returns + encodeURIComponent(data.number) + "/receipt/",
          target: "_blank",
          rel: "noopener",
          text: t(data.store_credit && data.store_credit.code ? "print_credit_note" : "print_return_receipt"),
        }),
      ])
    );
  }
  $("return-number").value = "";
  $("return-contact").value = "";
}

function recordReturn(event) {
  event.preventDefault();
  var lines = [];
  var bad = false;
  document.querySelectorAll("[data-return-qty]").forEach(function (input) {
    var qty = Number(input.value || 0);
    if (!Number.isInteger(qty) || qty < 0 || qty > Number(input.max)) bad = true;
    if (qty > 0) {
      var sku = input.dataset.returnQty;
      var condition = document.querySelector('[data-condition="' + CSS.escape(sku) + '"]').value;
      lines.push({ sku: sku, quantity: qty, condition: condition });
    }
  });
  if (bad) return showError("return-error", t("bad_return_qty"));
  if (!lines.length) return showError("return-error", t("nothing_to_return"));
  var refund = new FormData($("return-form")).get("refund");
  var number = returnProof.sale || returnSale.number;
  api(
    "POST",
    "returns/",
    {
      sale: number,
      contact: returnProof.contact,
      lines: lines,
      refund: refund,
      refund_reference: $("refund-reference").value.trim(),
      session: state.session.id,
    },
    { "Idempotency-Key": uuid() }
  ).then(showReturnDone, function (error) {
    showError("return-error", errorText(error));
  });
}

export function init() {
  onEnter("returns", function () {
    window.setTimeout(function () {
      $("return-number").focus();
    }, 0);
  });
  $("return-find").addEventListener("submit", findSale);
  $("return-form").addEventListener("submit", recordReturn);
  initRma();
}
