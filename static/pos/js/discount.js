/*
 * A line discount (#dlg-discount), for users with pos.give_discount: an amount off the whole line,
 * quick percentages, a required reason.
 */
import { t } from "./i18n.js";
import { focusScan } from "./screens.js";
import { state } from "./state.js";
import { $, el, fromCents, money, showError, toCents } from "./ui.js";

var discountLine = null;
var changed = function () {};

/* Open the dialog for a cart line; onChange() runs once its discount was set or removed. */
export function openDiscount(line, onChange) {
  discountLine = line;
  changed = onChange;
  var item = state.catalog.get(line.sku) || { name: line.sku };
  $("discount-item").textContent = item.name + " × " + line.quantity;
  $("discount-amount").value = line.discount ? fromCents(line.discount) : "";
  $("discount-reason").value = line.discount_reason || "";
  showError("discount-error", "");
  var quick = $("discount-quick");
  quick.textContent = "";
  var gross = toCents(item.price_gross || "0") * line.quantity;
  [10, 20, 30, 50].forEach(function (pct) {
    quick.appendChild(
      el("button", {
        type: "button",
        class: "btn btn--small",
        text: pct + " %",
        onclick: function () {
          $("discount-amount").value = fromCents(Math.round((gross * pct) / 100));
        },
      })
    );
  });
  $("dlg-discount").showModal();
  $("discount-amount").focus();
}

export function init() {
  $("discount-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var line = discountLine;
    var cents = toCents($("discount-amount").value);
    var reason = $("discount-reason").value.trim();
    var item = state.catalog.get(line.sku);
    var gross = item ? toCents(item.price_gross) * line.quantity : 0;
    if (isNaN(cents) || cents <= 0 || cents > gross) {
      showError("discount-error", t("bad_discount", { max: money(gross) }));
      return;
    }
    if (!reason) {
      showError("discount-error", t("reason_required"));
      return;
    }
    line.discount = cents;
    line.discount_reason = reason;
    $("dlg-discount").close();
    changed();
    focusScan();
  });

  $("discount-remove").addEventListener("click", function () {
    if (discountLine) {
      discountLine.discount = 0;
      discountLine.discount_reason = "";
    }
    $("dlg-discount").close();
    changed();
  });
}
