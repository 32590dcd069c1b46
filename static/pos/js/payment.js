/*
 * Taking the payment: tenders (cash, card, mobile, store credit), split over several, the change
 * due on cash. The #pay panel shows what is due, paid and remaining; "Complete sale" is enabled once
 * the tenders cover the total (checkout.js sends the sale).
 */
import { OFFLINE_TENDERS } from "./config.js";
import { t } from "./i18n.js";
import { paidTotal, saleTotal } from "./sale.js";
import { state } from "./state.js";
import { $, el, fromCents, money, showError, toCents } from "./ui.js";

export function renderPayment() {
  if (!state.paying) return;
  var due = saleTotal();
  var paid = paidTotal();
  var remaining = Math.max(due - paid, 0);
  var change = Math.max(paid - due, 0);
  $("p-due").textContent = money(due);
  $("p-paid").textContent = money(paid);
  $("p-remaining").textContent = money(remaining);
  $("p-change-row").hidden = !change;
  $("p-change").textContent = money(change);
  document.body.dataset.change = fromCents(change);
  var list = $("tenders");
  list.textContent = "";
  state.tenders.forEach(function (tender, index) {
    list.appendChild(
      el("li", { class: "tender", "data-kind": tender.kind }, [
        el("span", { class: "tender__kind", text: t("tender_" + tender.kind) }),
        el("span", { class: "muted", text: tender.reference }),
        el("strong", { text: money(tender.amount) }),
        el("button", {
          type: "button",
          class: "btn btn--small btn--ghost",
          text: "✕",
          "aria-label": t("remove_tender"),
          onclick: function () {
            state.tenders.splice(index, 1);
            renderPayment();
          },
        }),
      ])
    );
  });
  var quick = $("quick-cash");
  quick.textContent = "";
  if (remaining > 0) {
    var amounts = [remaining];
    [500, 1000, 2000, 5000, 10000].forEach(function (note) {
      var rounded = Math.ceil(remaining / note) * note;
      if (amounts.indexOf(rounded) === -1 && amounts.length < 5) amounts.push(rounded);
    });
    amounts.forEach(function (cents, i) {
      quick.appendChild(
        el("button", {
          type: "button",
          class: "btn btn--small",
          text: i === 0 ? t("exact") + " " + money(cents) : money(cents),
          onclick: function () {
            $("tender-amount").value = fromCents(cents);
          },
        })
      );
    });
  }
  document.querySelectorAll("[data-tender]").forEach(function (button) {
    var allowed = state.online || OFFLINE_TENDERS[button.dataset.tender];
    button.disabled = !allowed || remaining <= 0;
    button.title = allowed ? "" : t("not_offline");
  });
  var covered = due >= 0 && paid >= due && state.tenders.length > 0;
  $("pay").classList.toggle("is-covered", covered);
  $("complete").disabled = !covered;
  $("complete").dataset.covered = String(covered);
}

function addTender(kind) {
  var due = saleTotal();
  var remaining = due - paidTotal();
  var cents = toCents($("tender-amount").value);
  var reference = $("tender-ref").value.trim();
  if (isNaN(cents) || cents <= 0) {
    showError("pay-error", t("bad_amount"));
    return;
  }
  if (kind !== "cash" && cents > remaining) {
    showError("pay-error", t("only_cash_change"));
    return;
  }
  if ((kind === "card" || kind === "store_credit") && !reference) {
    showError("pay-error", t(kind === "card" ? "card_ref_required" : "credit_code_required"));
    $("tender-ref").focus();
    return;
  }
  if (!state.online && !OFFLINE_TENDERS[kind]) {
    showError("pay-error", t("not_offline"));
    return;
  }
  showError("pay-error", "");
  state.tenders.push({ kind: kind, amount: cents, reference: kind === "cash" ? "" : reference });
  $("tender-ref").value = "";
  renderPayment();
  var left = Math.max(due - paidTotal(), 0);
  $("tender-amount").value = left ? fromCents(left) : "";
  if (!left) $("complete").focus();
}

export function init() {
  document.querySelectorAll("[data-tender]").forEach(function (button) {
    button.addEventListener("click", function () {
      addTender(button.dataset.tender);
    });
  });
}
