/*
 * The sale's customer (loyalty prices and points): found by loyalty card, phone or e-mail in
 * #dlg-customer, or at once by scanning the QR code of their web account (identifyByCard); their
 * loyalty panel (tier, points, rewards, vouchers) is loyalty.js's. Needs the network.
 */
import { api, errorText, listOf } from "./api.js";
import { requote } from "./cart.js";
import { t } from "./i18n.js";
import { renderLoyalty } from "./loyalty.js";
import { focusScan } from "./screens.js";
import { state } from "./state.js";
import { $, el, showError, toast } from "./ui.js";

export function identifyByCard(number) {
  if (!state.online) return toast(t("customer_offline"), "error");
  api("GET", "customers/?q=" + encodeURIComponent(number)).then(
    function (data) {
      var customers = listOf(data);
      if (customers.length !== 1) return toast(t("customer_none"), "error");
      state.customer = customers[0];
      renderCustomer();
      requote();
      toast(t("customer_identified", { name: customers[0].name }), "ok");
    },
    function (error) {
      toast(errorText(error), "error");
    }
  );
}

export function renderCustomer() {
  var customer = state.customer;
  $("customer-none").hidden = !!customer;
  $("customer-some").hidden = !customer;
  if (customer) {
    $("customer-name").textContent = customer.name || customer.email;
    $("customer-detail").textContent = [customer.loyalty_card_number, customer.email].filter(Boolean).join(" · ");
  }
  renderLoyalty();
}

export function openCustomer() {
  if (!state.online) {
    toast(t("customer_offline"), "error");
    return;
  }
  $("customer-q").value = "";
  $("customer-results").textContent = "";
  showError("customer-error", "");
  $("dlg-customer").showModal();
  $("customer-q").focus();
}

export function clearCustomer() {
  state.customer = null;
  renderCustomer();
  requote();
}

function chooseCustomer(customer) {
  state.customer = customer;
  $("dlg-customer").close();
  renderCustomer();
  requote();
  focusScan();
}

export function init() {
  $("customer-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var q = $("customer-q").value.trim();
    if (q.length < 3) {
      showError("customer-error", t("customer_short"));
      return;
    }
    showError("customer-error", "");
    api("GET", "customers/?q=" + encodeURIComponent(q)).then(
      function (data) {
        var list = $("customer-results");
        list.textContent = "";
        var customers = listOf(data);
        if (!customers.length) showError("customer-error", t("customer_none"));
        customers.forEach(function (customer) {
          list.appendChild(
            el("li", null, [
              el(
                "button",
                {
                  type: "button",
                  class: "result",
                  onclick: function () {
                    chooseCustomer(customer);
                  },
                },
                [
                  el("strong", { text: customer.name || customer.email }),
                  el("span", { class: "muted", text: [customer.loyalty_card_number, customer.email].filter(Boolean).join(" · ") }),
                ]
              ),
            ])
          );
        });
      },
      function (error) {
        showError("customer-error", errorText(error));
      }
    );
  });
}
