/*
 * Web returns (RMA) at the till: the number scanned or typed on the returns screen starts with "RMA-".
 * The RMA is loaded from the logistics API (GET /api/v1/returns/{number}/) and received there
 * (POST /api/v1/returns/{id}/receive/) at the register's store, units resellable or damaged per line;
 * the refund follows on the server (original payment or store credit, as the customer chose).
 * Unlike a sale, this needs the network: offline, the screen says so and sends nothing.
 */
import { api, errorText, uuid } from "./api.js";
import { CONFIG } from "./config.js";
import { t } from "./i18n.js";
import { state } from "./state.js";
import { $, el, money, showError, toCents } from "./ui.js";

var current = null;

export function isRmaNumber(value) {
  return /^RMA-/i.test(String(value || "").trim());
}

function returnsUrl(path) {
  return (CONFIG.urls.returns_api || "/api/v1/returns/") + path;
}

function unitsInput(kind, line, value) {
  return el("input", {
    type: "number",
    class: "input input--qty",
    min: "0",
    max: String(line.quantity),
    value: String(value),
    inputmode: "numeric",
    "data-rma-line": String(line.line_id),
    "data-rma-kind": kind,
    "aria-label": t("rma_qty_for", { kind: t(kind), name: line.name }),
  });
}

function rmaRow(line) {
  return el("tr", { "data-rma-row": String(line.line_id) }, [
    el("td", null, [el("strong", { text: line.name }), el("br"), el("span", { class: "muted", text: line.sku })]),
    el("td", { class: "num", text: String(line.quantity) }),
    el("td", null, [unitsInput("resellable", line, line.quantity)]),
    el("td", null, [unitsInput("damaged", line, 0)]),
  ]);
}

function hideAll() {
  $("rma-form").hidden = true;
  $("return-form").hidden = true;
  $("return-done").hidden = true;
}

/* Load the RMA `number` and show its lines; online only. */
export function findRma(number) {
  hideAll();
  showError("return-error", "");
  current = null;
  if (!state.online) return showError("return-error", t("rma_needs_network"));
  api("GET", returnsUrl(encodeURIComponent(number.toUpperCase()) + "/")).then(
    function (data) {
      if (["requested", "label_failed", "awaiting"].indexOf(data.status) < 0) {
        return showError("return-error", t("rma_not_receivable", { number: data.number, status: data.status }));
      }
      current = data;
      $("rma-title").textContent = t("rma_of", { number: data.number, order: data.order });
      $("rma-meta").textContent = data.refund_choice === "store_credit" ? t("tender_store_credit") : t("rma_refund_original");
      var body = $("rma-lines");
      body.textContent = "";
      (data.lines || []).forEach(function (line) {
        body.appendChild(rmaRow(line));
      });
      $("rma-form").hidden = false;
    },
    function (error) {
      if (error.network) return showError("return-error", t("rma_needs_network"));
      showError("return-error", error.status === 404 ? t("rma_not_found", { number: number }) : errorText(error));
    }
  );
}

function showDone(data) {
  hideAll();
  var done = $("return-done");
  done.hidden = false;
  done.textContent = "";
  done.appendChild(el("p", { class: "done__title", text: t("rma_done", { number: data.number }) }));
  done.appendChild(el("p", { class: "done__change", text: t("refund_amount", { amount: money(toCents(data.refund_amount)) }) }));
  if (data.refund_choice === "store_credit" && data.refund_reference) {
    done.appendChild(el("p", { class: "done__change", text: t("store_credit_code", { code: data.refund_reference }) }));
  } else {
    done.appendChild(el("p", { class: "muted", text: t("rma_refund_original") }));
  }
  $("return-number").value = "";
  current = null;
}

function receive(event) {
  event.preventDefault();
  if (!current) return;
  if (!state.online) return showError("return-error", t("rma_needs_network"));
  var lines = [];
  var bad = false;
  var total = 0;
  (current.lines || []).forEach(function (line) {
    var resellable = Number($("rma-lines").querySelector('[data-rma-line="' + line.line_id + '"][data-rma-kind="resellable"]').value || 0);
    var damaged = Number($("rma-lines").querySelector('[data-rma-line="' + line.line_id + '"][data-rma-kind="damaged"]').value || 0);
    if (!Number.isInteger(resellable) || !Number.isInteger(damaged) || resellable < 0 || damaged < 0 || resellable + damaged > line.quantity) bad = true;
    total += resellable + damaged;
    lines.push({ line_id: line.line_id, resellable: resellable, damaged: damaged });
  });
  if (bad) return showError("return-error", t("rma_bad_qty"));
  if (!total) return showError("return-error", t("rma_nothing"));
  showError("return-error", "");
  api("POST", returnsUrl(current.id + "/receive/"), { location: CONFIG.store.code, lines: lines }, { "Idempotency-Key": uuid() }).then(
    showDone,
    function (error) {
      showError("return-error", error.network ? t("rma_needs_network") : errorText(error));
    }
  );
}

export function init() {
  $("rma-form").addEventListener("submit", receive);
}
