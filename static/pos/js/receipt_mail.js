/*
 * "E-mail the receipt": after a sale (the sale-complete panel) or for a past sale found on the
 * returns screen. Asks for the address in the app's dialog (prefilled with the customer's, if one
 * was identified) and POSTs sales/<number>/email/; the server queues the e-mail. A refused address
 * (400) or too many sends (429) is said in the dialog, which stays open.
 */
import { api, errorText, uuid } from "./api.js";
import { t } from "./i18n.js";
import { focusScan } from "./screens.js";
import { state } from "./state.js";
import { ask, toast } from "./ui.js";

/* Ask for the address and send the receipt of sale `number`; resolves true once queued. */
export function emailReceipt(number, prefill) {
  if (!number) return Promise.resolve(false);
  if (!state.online) {
    toast(t("needs_network"), "error");
    return Promise.resolve(false);
  }
  var key = uuid(); // one request however many times the cashier presses "Send" on a slow network
  var sentTo = "";
  return ask({
    title: t("email_receipt_title", { number: number }),
    ok: t("email_receipt_send"),
    cancel: t("cancel"),
    input: { label: t("email_receipt_label"), type: "email", value: prefill || "" },
    check: function (email) {
      if (!email) return Promise.reject(t("email_receipt_missing"));
      return api("POST", "sales/" + encodeURIComponent(number) + "/email/", { email: email }, { "Idempotency-Key": key }).then(
        function (data) {
          sentTo = (data && data.email) || email;
        },
        function (error) {
          key = uuid(); // a refused address is not the same request once corrected
          throw errorText(error);
        }
      );
    },
  }).then(function (value) {
    if (value === null) return false;
    toast(t("email_receipt_queued", { email: sentTo }), "ok");
    return true;
  });
}

/* The sale just completed (its customer's address kept by checkout.showDone). */
export function emailLastSale() {
  var sale = state.lastSale || {};
  emailReceipt(sale.number, sale.email).then(focusScan);
}

/* The past sale shown on the returns screen. */
export function emailPastSale() {
  var sale = state.lookedUpSale || {};
  emailReceipt(sale.number, "");
}
