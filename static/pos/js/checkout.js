/*
 * From "Pay" to "New sale": start and leave the payment, send the sale, show it done (number,
 * change, receipt), reset for the next one.
 *
 * The sale is written to the offline queue first. Online it is then POSTed (Idempotency-Key = its
 * uuid) and leaves the queue once the server answered; no answer or a 5xx leaves it queued for the
 * sync, which replays it by uuid (never twice). Offline it stays queued; the stock figures on the
 * tablet go down at once.
 */
import { api, errorText, uuid } from "./api.js";
import { renderCart } from "./cart.js";
import { CONFIG } from "./config.js";
import { renderCustomer } from "./customer.js";
import { t } from "./i18n.js";
import { inFlight, loadQueue } from "./offline.js";
import { renderPayment } from "./payment.js";
import { paidTotal, saleLines, saleTotal } from "./sale.js";
import { focusScan } from "./screens.js";
import { state } from "./state.js";
import { PosStore } from "./store.js";
import { showCouponState } from "./totals.js";
import { $, clearErrorToast, fromCents, money, showError, toCents } from "./ui.js";

export function startPayment() {
  if (!state.cart.length) return;
  state.paying = true;
  state.tenders = [];
  $("pay").hidden = false;
  $("sale-actions").hidden = true;
  document.body.classList.add("is-paying");
  renderCart();
  renderPayment();
  $("tender-amount").value = fromCents(saleTotal());
  $("tender-amount").focus();
  $("tender-amount").select();
}

export function stopPayment() {
  state.paying = false;
  state.tenders = [];
  $("pay").hidden = true;
  $("sale-actions").hidden = false;
  document.body.classList.remove("is-paying");
  showError("pay-error", "");
  renderCart();
  focusScan();
}

function completeSale() {
  var due = saleTotal();
  if (paidTotal() < due || !state.tenders.length) return;
  $("complete").disabled = true;
  var offline = !state.online;
  var change = paidTotal() - due;
  var sale = {
    uuid: uuid(),
    session: state.session.id,
    lines: saleLines(),
    tenders: state.tenders.map(function (tender) {
      return { kind: tender.kind, amount: fromCents(tender.amount), reference: tender.reference };
    }),
    customer: state.customer ? state.customer.id : null,
    coupon: state.coupon || "",
    offline: offline,
    sold_at: new Date().toISOString(),
  };
  var record = { uuid: sale.uuid, body: sale, queued_at: Date.now(), total: fromCents(due) };
  if (!offline) inFlight.add(sale.uuid); // the queue's sync leaves it alone while this POST runs
  // Written down first: whatever happens next (network cut, tab closed), the sale is not lost.
  PosStore.enqueue(record)
    .then(function () {
      if (offline) return finishOffline(record, change);
      return api("POST", "sales/", sale, { "Idempotency-Key": sale.uuid }).then(
        function (result) {
          inFlight.delete(sale.uuid);
          return PosStore.dequeue(sale.uuid).then(function () {
            finishOnline(result, change);
          });
        },
        function (error) {
          inFlight.delete(sale.uuid);
          if (error.network || error.status >= 500) {
            // The server may or may not have it: the queue replays it by uuid, never twice.
            record.body.offline = true;
            return PosStore.enqueue(record).then(function () {
              finishOffline(record, change);
            });
          }
          return PosStore.dequeue(sale.uuid).then(function () {
            showError("pay-error", errorText(error));
            $("complete").disabled = false;
          });
        }
      );
    })
    .catch(function (error) {
      showError("pay-error", t("storage_error") + " " + (error && error.message ? error.message : ""));
      $("complete").disabled = false;
    })
    .then(loadQueue);
}

function finishOnline(result, localChange) {
  var change = result && result.change_due !== undefined ? toCents(result.change_due) : localChange;
  showDone({
    title: t("sale_done", { number: result.number }),
    number: result.number,
    change: change,
    receipt: result.receipt_url || CONFIG.urls.receipt + encodeURIComponent(result.number) + "/",
    note: (result.discrepancies || []).length ? t("discrepancy_note") : "",
  });
}

function finishOffline(record, change) {
  // Goods leave the store now: take them off our local figures too.
  record.body.lines.forEach(function (line) {
    var item = state.catalog.get(line.sku);
    if (item && item.available_here !== null) {
      item.available_here = Math.max(item.available_here - line.quantity, 0);
      PosStore.putCatalogItem(Object.assign({}, item, { _search: undefined }));
    }
  });
  showDone({ title: t("sale_saved_offline"), number: null, change: change, receipt: null, note: t("offline_note") });
}

function showDone(info) {
  info.email = state.customer && state.customer.email ? state.customer.email : "";
  state.lastSale = info;
  clearErrorToast();
  $("pay").hidden = true;
  $("sale-actions").hidden = true;
  $("done").hidden = false;
  $("done").dataset.number = info.number || "";
  $("done-title").textContent = info.title;
  $("done-change").textContent = money(info.change);
  $("done-change-row").hidden = false;
  $("done-note").textContent = info.note || "";
  var receipt = $("done-receipt");
  receipt.hidden = !info.receipt;
  $("done-email").hidden = !info.number; // an offline sale has no number yet
  if (info.receipt) receipt.href = info.receipt;
  state.paying = false;
  state.tenders = [];
  state.cart = [];
  state.customer = null;
  state.coupon = "";
  state.quote = null;
  $("coupon").value = "";
  showCouponState();
  renderCustomer();
  renderCart();
  document.body.classList.remove("is-paying");
  $("scan").focus();
}

/* An empty sale screen: no lines, customer, coupon or payment. */
export function resetSale() {
  state.cart = [];
  state.customer = null;
  state.coupon = "";
  state.quote = null;
  state.paying = false;
  state.tenders = [];
  $("coupon").value = "";
  $("pay").hidden = true;
  $("done").hidden = true;
  $("sale-actions").hidden = false;
  document.body.classList.remove("is-paying");
  showCouponState();
  renderCustomer();
  renderCart();
}

export function init() {
  $("complete").addEventListener("click", completeSale);
  $("pay-button").addEventListener("click", startPayment);
}
