/*
 * Click & collect: the store's orders ready for pickup (GET pickups/), refreshed each time the
 * screen opens, and the handover after checking the customer (#dlg-handover, POST .../handover/).
 */
import { api, errorText, listOf, uuid } from "./api.js";
import { t, tn } from "./i18n.js";
import { onEnter } from "./screens.js";
import { $, el, money, showError, toast, toCents } from "./ui.js";

var handoverOrder = null;

function pickupItem(order) {
  var who = order.customer || order.email || "";
  var count = (order.lines || []).reduce(function (sum, line) {
    return sum + line.quantity;
  }, 0);
  return el("li", { class: "pickup", "data-number": order.number }, [
    el("div", null, [
      el("strong", { class: "pickup__number", text: order.number }),
      el("span", { class: "pickup__who", text: who }),
      el(
        "ul",
        { class: "pickup__lines" },
        (order.lines || []).map(function (line) {
          return el("li", { text: line.quantity + " × " + line.name + " (" + line.sku + ")" });
        })
      ),
      el("span", {
        class: "muted",
        text: [tn("n_items", count), order.total !== undefined ? money(toCents(order.total)) : ""]
          .filter(Boolean)
          .join(" · "),
      }),
    ]),
    el("button", {
      type: "button",
      class: "btn btn--primary",
      text: t("hand_over"),
      onclick: function () {
        handoverOrder = order;
        $("handover-order").textContent = order.number + (who ? " — " + who : "");
        $("handover-form").reset();
        showError("handover-error", "");
        $("dlg-handover").showModal();
      },
    }),
  ]);
}

export function loadPickups() {
  showError("pickup-error", "");
  api("GET", "pickups/").then(
    function (data) {
      var list = $("pickup-list");
      list.textContent = "";
      var orders = listOf(data);
      $("pickup-empty").hidden = orders.length > 0;
      orders.forEach(function (order) {
        list.appendChild(pickupItem(order));
      });
    },
    function (error) {
      showError("pickup-error", errorText(error));
    }
  );
}

export function init() {
  onEnter("pickups", loadPickups);
  $("handover-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = new FormData($("handover-form"));
    var verification = form.get("verification");
    var value = String(form.get("value") || "").trim();
    if (!verification || !value) return showError("handover-error", t("verification_required"));
    api(
      "POST",
      "pickups/" + encodeURIComponent(handoverOrder.number) + "/handover/",
      { verification: verification, value: value },
      { "Idempotency-Key": uuid() }
    ).then(
      function () {
        $("dlg-handover").close();
        toast(t("handed_over", { number: handoverOrder.number }), "ok");
        loadPickups();
      },
      function (error) {
        showError("handover-error", errorText(error));
      }
    );
  });
}
