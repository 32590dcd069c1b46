/*
 * Closing the register: count the drawer by denomination (#count-grid), give the card terminal's
 * total, send the queued sales first, close (POST sessions/<id>/close/) and show the Z report.
 */
import { api, errorText, uuid } from "./api.js";
import { CONFIG } from "./config.js";
import { t, tn } from "./i18n.js";
import { syncQueue } from "./offline.js";
import { go, onEnter } from "./screens.js";
import { setSession } from "./session.js";
import { state } from "./state.js";
import { $, ask, el, fromCents, money, showError, toCents } from "./ui.js";

function renderCountGrid() {
  var grid = $("count-grid");
  if (grid.childElementCount) return updateCountTotal();
  CONFIG.denominations.forEach(function (denomination) {
    var cents = toCents(denomination);
    var label = cents >= 100 ? money(cents).replace(/[.,]00(?=\D|$)/, "") : money(cents);
    var input = el("input", {
      type: "number",
      min: "0",
      step: "1",
      inputmode: "numeric",
      class: "input input--qty",
      value: "",
      placeholder: "0",
      "data-denomination": denomination,
      "aria-label": t("count_of", { value: label }),
      oninput: updateCountTotal,
    });
    grid.appendChild(
      el("div", { class: "count" + (cents >= 500 ? " count--note" : " count--coin") }, [
        el("span", { class: "count__label", text: label }),
        el("button", {
          type: "button",
          class: "qty__btn",
          text: "−",
          "aria-label": t("less", { name: label }),
          onclick: function () {
            input.value = String(Math.max(Number(input.value || 0) - 1, 0));
            updateCountTotal();
          },
        }),
        input,
        el("button", {
          type: "button",
          class: "qty__btn",
          text: "+",
          "aria-label": t("more", { name: label }),
          onclick: function () {
            input.value = String(Number(input.value || 0) + 1);
            updateCountTotal();
          },
        }),
        el("span", { class: "count__sum", "data-sum-for": denomination, text: "" }),
      ])
    );
  });
  updateCountTotal();
}

function counts() {
  var out = {};
  document.querySelectorAll("[data-denomination]").forEach(function (input) {
    var n = Number(input.value || 0);
    if (n) out[input.dataset.denomination] = n;
  });
  return out;
}

function updateCountTotal() {
  var total = 0;
  document.querySelectorAll("[data-denomination]").forEach(function (input) {
    var n = Number(input.value || 0);
    var sum = Number.isInteger(n) && n > 0 ? n * toCents(input.dataset.denomination) : 0;
    total += sum;
    var cell = document.querySelector('[data-sum-for="' + input.dataset.denomination + '"]');
    if (cell) cell.textContent = sum ? money(sum) : "";
  });
  $("count-total").textContent = money(total);
  return total;
}

function submitClose(event) {
  event.preventDefault();
  var bad = false;
  document.querySelectorAll("[data-denomination]").forEach(function (input) {
    var n = Number(input.value || 0);
    if (!Number.isInteger(n) || n < 0) bad = true;
  });
  var card = $("card-total").value.trim();
  var cardCents = card ? toCents(card) : null;
  if (bad || (card && (isNaN(cardCents) || cardCents < 0))) return showError("close-error", t("bad_count"));
  syncQueue().then(function () {
    // Sales not sent yet must reach this session first; a sale the server refused stays on the
    // tablet (shown in the queue) and goes to the register's next session once it is fixed.
    var unsent = state.queue.filter(function (sale) {
      return !sale.error;
    }).length;
    if (unsent) return showError("close-error", tn("close_queue", unsent));
    var failed = state.queue.length;
    var question = t("close_confirm", { amount: money(updateCountTotal()) });
    if (failed) question += " " + tn("close_failed_stay", failed);
    ask({ title: t("close_title"), text: question, ok: t("close_ok"), cancel: t("cancel") }).then(function (yes) {
      if (yes) closeSession(cardCents);
    });
  });
}

function closeSession(cardCents) {
  var body = { counts: counts() };
  if (cardCents !== null) body.card_total = fromCents(cardCents);
  var sessionId = state.session.id;
  api("POST", "sessions/" + sessionId + "/close/", body, { "Idempotency-Key": uuid() }).then(
    function (report) {
      renderZ(report || {}, sessionId);
      setSession(null);
      resetCountGrid();
      go("z");
    },
    function (error) {
      showError("close-error", errorText(error));
    }
  );
}

function resetCountGrid() {
  document.querySelectorAll("[data-denomination]").forEach(function (input) {
    input.value = "";
  });
  $("card-total").value = "";
  showError("close-error", "");
}

// --- the Z report ---------------------------------------------------------------------------------

function tenderRows(report) {
  var tenders = report.tenders || report.per_tender || {};
  var rows = Array.isArray(tenders)
    ? tenders
    : Object.keys(tenders).map(function (kind) {
        return Object.assign({ tender: kind }, tenders[kind]);
      });
  if (!rows.length && report.expected) {
    rows = Object.keys(report.expected).map(function (kind) {
      return {
        tender: kind,
        expected: report.expected[kind],
        counted: (report.counted || {})[kind],
        difference: (report.differences || {})[kind],
      };
    });
  }
  return rows;
}

function headRow(labels) {
  return el("thead", null, [
    el(
      "tr",
      null,
      labels.map(function (label, i) {
        return el("th", { scope: "col", class: i ? "num" : null, text: label });
      })
    ),
  ]);
}

function renderZ(report, sessionId) {
  var body = $("z-body");
  body.textContent = "";
  var table = el("table", { class: "list-table z-table" }, [
    headRow([t("tender"), t("expected"), t("counted"), t("difference")]),
    el(
      "tbody",
      null,
      tenderRows(report).map(function (row) {
        var kind = row.tender || row.kind;
        var diff = row.difference !== undefined && row.difference !== null ? toCents(row.difference) : null;
        return el("tr", { "data-tender": kind }, [
          el("th", { scope: "row", text: t("tender_" + kind) }),
          el("td", { class: "num", text: row.expected !== undefined ? money(toCents(row.expected)) : "–" }),
          el("td", { class: "num", text: row.counted !== undefined && row.counted !== null ? money(toCents(row.counted)) : "–" }),
          el("td", { class: "num" + (diff ? " is-diff" : ""), text: diff !== null ? money(diff) : "–" }),
        ]);
      })
    ),
  ]);
  body.appendChild(table);
  var facts = [];
  var sales = report.sales_count !== undefined ? report.sales_count : report.sales && report.sales.count;
  var salesTotal = report.sales_total !== undefined ? report.sales_total : report.sales && report.sales.total;
  if (sales !== undefined) facts.push([t("sales_count"), String(sales)]);
  if (salesTotal !== undefined) facts.push([t("sales_total"), money(toCents(salesTotal))]);
  // Returns taken back at this session are netted out of sales (and of the VAT table below).
  if (report.returns_count) {
    facts.push([t("returns_count"), String(report.returns_count)]);
    facts.push([t("returns_total"), money(-toCents(report.returns_total))]);
  }
  if (report.net_sales !== undefined) facts.push([t("net_sales"), money(toCents(report.net_sales))]);
  if (report.difference !== undefined && report.difference !== null) facts.push([t("difference_total"), money(toCents(report.difference))]);
  var vat = report.vat_breakdown || [];
  if (vat.length) {
    body.appendChild(
      el("table", { class: "list-table z-vat" }, [
        el("caption", { class: "visually-hidden", text: t("vat_breakdown") }),
        headRow([t("vat_rate"), t("net"), t("vat"), t("gross")]),
        el(
          "tbody",
          null,
          vat.map(function (line) {
            return el("tr", null, [
              el("th", { scope: "row", text: (Number(line.rate) * 100).toLocaleString(CONFIG.language) + " %" }),
              el("td", { class: "num", text: money(toCents(line.net)) }),
              el("td", { class: "num", text: money(toCents(line.vat)) }),
              el("td", { class: "num", text: money(toCents(line.gross)) }),
            ]);
          })
        ),
      ])
    );
  }
  body.appendChild(
    el(
      "dl",
      { class: "z-facts", id: "z-facts" },
      facts.map(function (fact) {
        return el("div", null, [el("dt", { text: fact[0] }), el("dd", { text: fact[1] })]);
      })
    )
  );
  $("z-print").href = report.z_report_url || report.url || CONFIG.urls.z_report + sessionId + "/z/";
}

export function init() {
  onEnter("close", renderCountGrid);
  $("close-form").addEventListener("submit", submitClose);
}
