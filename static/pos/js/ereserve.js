/*
 * E-reservations: items a shopper reserved online to try here (GET reservations/, refreshed when the
 * screen opens, on search and every minute for the nav badge). "Sell" prices the kept lines at the
 * till's current price (POST quote/), takes one payment and records the sale (POST .../sell/, the
 * sale's uuid as Idempotency-Key: a retry never sells twice); unticked lines go back on the shelf.
 * "Release" gives every unit back with a reason. Online only: a reservation lives on the server.
 */
import { api, errorText, uuid } from "./api.js";
import { t, tn } from "./i18n.js";
import { onEnter } from "./screens.js";
import { state } from "./state.js";
import { $, el, fromCents, money, showError, toast, toCents } from "./ui.js";

var current = null; // the reservation being sold or released
var keptIds = [];
var saleUuid = null;
var POLL_MS = 60000;

function when(iso) {
  var date = new Date(iso);
  return date.toLocaleString(document.documentElement.lang || "fr", {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
}

function setCount(count) {
  var badge = $("ereserve-count");
  badge.textContent = String(count);
  badge.hidden = !count;
}

function item(r) {
  var count = r.lines.reduce(function (sum, line) {
    return sum + line.quantity;
  }, 0);
  var boxes = r.lines.map(function (line) {
    return el("li", null, [
      el("label", { class: "ereserve-line" }, [
        el("input", {
          type: "checkbox",
          checked: "checked",
          "data-line": String(line.id),
          "aria-label": t("ereserve_keep", { name: line.name }),
        }),
        el("span", { text: line.quantity + " × " + line.name + " (" + line.sku + ")" }),
      ]),
    ]);
  });
  var li = el("li", { class: "pickup ereserve", "data-number": r.number }, [
    el("div", null, [
      el("strong", { class: "pickup__number", text: r.number }),
      el("span", { class: "pickup__who", text: [r.name, r.phone, r.email].filter(Boolean).join(" · ") }),
      el("span", {
        class: r.expired ? "form-error" : "muted",
        text: (r.expired ? t("ereserve_expired", { when: when(r.hold_until) }) : t("ereserve_until", { when: when(r.hold_until) })) + " · " + tn("n_items", count),
      }),
      el("ul", { class: "pickup__lines ereserve__lines" }, boxes),
    ]),
    el("div", { class: "ereserve__actions" }, [
      el("button", {
        type: "button",
        class: "btn btn--primary",
        text: t("ereserve_sell"),
        disabled: r.expired ? "disabled" : null,
        onclick: function () {
          openSell(r, li);
        },
      }),
      el("button", {
        type: "button",
        class: "btn btn--ghost",
        text: t("ereserve_release"),
        onclick: function () {
          openRelease(r);
        },
      }),
    ]),
  ]);
  return li;
}

export function loadReservations() {
  showError("ereserve-error", "");
  var q = ($("ereserve-q").value || "").trim();
  return api("GET", "reservations/" + (q ? "?q=" + encodeURIComponent(q) : "")).then(
    function (data) {
      var list = $("ereserve-list");
      list.textContent = "";
      $("ereserve-empty").hidden = data.results.length > 0;
      data.results.forEach(function (r) {
        list.appendChild(item(r));
      });
      if (!q) setCount(data.count);
    },
    function (error) {
      showError("ereserve-error", errorText(error));
    }
  );
}

function refreshCount() {
  if (!state.online) return;
  api("GET", "reservations/").then(
    function (data) {
      setCount(data.count);
    },
    function () {}
  );
}

function openSell(r, li) {
  if (!state.session) return toast(t("ereserve_no_session"), "error");
  keptIds = Array.prototype.map.call(li.querySelectorAll("input[data-line]:checked"), function (box) {
    return Number(box.dataset.line);
  });
  if (!keptIds.length) return toast(t("ereserve_keep_one"), "error");
  current = r;
  saleUuid = uuid(); // one sale per opening of the dialog: a retry of the same submit reuses it
  var kept = r.lines.filter(function (line) {
    return keptIds.indexOf(line.id) >= 0;
  });
  $("ereserve-sell-what").textContent =
    r.number + " — " + r.name + " · " + kept.map(function (l) { return l.quantity + " × " + l.name; }).join(", ");
  $("ereserve-sell-total").textContent = "…";
  $("ereserve-amount").value = "";
  showError("ereserve-sell-error", "");
  $("dlg-ereserve-sell").showModal();
  api("POST", "quote/", {
    lines: kept.map(function (l) {
      return { sku: l.sku, quantity: l.quantity };
    }),
    customer: r.customer_id,
  }).then(
    function (quote) {
      var total = quote.totals.total_gross;
      $("ereserve-sell-total").textContent = t("ereserve_total", { amount: money(toCents(total)) });
      $("ereserve-amount").value = total;
    },
    function (error) {
      showError("ereserve-sell-error", errorText(error));
    }
  );
}

function openRelease(r) {
  current = r;
  $("ereserve-release-what").textContent = r.number + " — " + r.name;
  $("ereserve-reason").value = "";
  showError("ereserve-release-error", "");
  $("dlg-ereserve-release").showModal();
}

function done(text, receipt) {
  var box = $("ereserve-done");
  box.textContent = "";
  box.appendChild(el("p", { text: text }));
  if (receipt) box.appendChild(el("a", { class: "btn", href: receipt, target: "_blank", text: t("print_receipt") }));
  box.hidden = false;
}

export function init() {
  onEnter("ereserve", function () {
    $("ereserve-done").hidden = true;
    loadReservations();
  });
  $("ereserve-search").addEventListener("submit", function (event) {
    event.preventDefault();
    loadReservations();
  });
  $("ereserve-sell-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = new FormData($("ereserve-sell-form"));
    var cents = toCents(form.get("amount"));
    if (!(cents > 0)) return showError("ereserve-sell-error", t("bad_amount"));
    var number = current.number;
    api(
      "POST",
      "reservations/" + encodeURIComponent(number) + "/sell/",
      {
        uuid: saleUuid,
        session: state.session.id,
        lines: keptIds,
        tenders: [{ kind: form.get("tender"), amount: fromCents(cents) }],
      },
      { "Idempotency-Key": saleUuid }
    ).then(
      function (result) {
        $("dlg-ereserve-sell").close();
        var text = t("ereserve_sold", { number: number, sale: result.number });
        var change = toCents(result.change_due);
        if (change > 0) text += " · " + t("ereserve_change", { amount: money(change) });
        toast(text, "ok");
        done(text, result.receipt_url);
        loadReservations();
      },
      function (error) {
        showError("ereserve-sell-error", errorText(error));
      }
    );
  });
  $("ereserve-release-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var reason = ($("ereserve-reason").value || "").trim();
    if (!reason) return showError("ereserve-release-error", t("ereserve_reason_required"));
    var number = current.number;
    api("POST", "reservations/" + encodeURIComponent(number) + "/release/", { reason: reason }, { "Idempotency-Key": uuid() }).then(
      function () {
        $("dlg-ereserve-release").close();
        toast(t("ereserve_released", { number: number }), "ok");
        loadReservations();
      },
      function (error) {
        showError("ereserve-release-error", errorText(error));
      }
    );
  });
  refreshCount();
  window.setInterval(refreshCount, POLL_MS);
}
