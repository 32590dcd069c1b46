/*
 * The loyalty panel of the sale screen (#loyalty, under the customer): the identified customer's
 * tier and its benefits, points, rewards available and the vouchers they hold, from the loyalty API
 * (/api/v1/loyalty/customers/<id>/). "Apply reward" turns points into a voucher (POST
 * .../vouchers/, with an Idempotency-Key) and applies its code to the sale as the coupon; tapping a
 * held voucher applies it. The tier's permanent discount is the server's quote (totals.js).
 * Needs the network: offline the panel says so (sales made offline earn their points when they sync).
 */
import { api, errorText, uuid } from "./api.js";
import { requote } from "./cart.js";
import { CONFIG } from "./config.js";
import { t, tn } from "./i18n.js";
import { state } from "./state.js";
import { showCouponState } from "./totals.js";
import { $, el, money, toast, toCents } from "./ui.js";

var LOYALTY_API = CONFIG.urls.loyalty_api || "/api/v1/loyalty/";
var loadingFor = null;
var converting = false;

function customerUrl(id) {
  return LOYALTY_API + "customers/" + encodeURIComponent(id) + "/";
}

/* The sale's customer changed (or the network did): fetch their card if we do not have it. */
export function renderLoyalty() {
  var customer = state.customer;
  var panel = $("loyalty");
  if (!customer) {
    state.loyalty = null;
    loadingFor = null;
    panel.hidden = true;
    return;
  }
  panel.hidden = false;
  if (!state.online) return paint();
  if ((!state.loyalty || state.loyalty.id !== customer.id) && loadingFor !== customer.id) load(customer.id);
  paint();
}

function load(id) {
  loadingFor = id;
  api("GET", customerUrl(id)).then(
    function (card) {
      if (loadingFor !== id) return;
      loadingFor = null;
      if (!state.customer || state.customer.id !== id) return;
      state.loyalty = card;
      paint();
    },
    function (error) {
      if (loadingFor !== id) return;
      loadingFor = null;
      paint(error.network ? t("loyalty_offline") : errorText(error));
    }
  );
}

function tierBadge(card) {
  var tier = card && card.tier;
  return el("span", {
    class: "tier-badge",
    "data-tier": tier ? tier.code : "none",
    text: tier ? tier.name : t("loyalty_no_tier"),
  });
}

function voucherText(voucher) {
  var value = voucher.kind === "percent" ? voucher.value.replace(/\.00$/, "") + " %" : money(toCents(voucher.value));
  var until = new Date(voucher.expires_at).toLocaleDateString(CONFIG.language || "fr");
  return { value: value, until: t("voucher_until", { date: until }) };
}

function paint(message) {
  var card = state.loyalty;
  var body = $("loyalty-body");
  body.textContent = "";
  if (!state.online) {
    body.appendChild(el("p", { class: "loyalty__note", id: "loyalty-offline", text: t("loyalty_offline") }));
    return;
  }
  if (message) {
    body.appendChild(el("p", { class: "form-error", text: message }));
    return;
  }
  if (!card || !state.customer || card.id !== state.customer.id) {
    body.appendChild(el("p", { class: "muted small", text: t("loading") }));
    return;
  }
  var rewards = card.rewards;
  var applied = (state.coupon || "").toUpperCase();
  body.appendChild(
    el("div", { class: "loyalty__head" }, [
      tierBadge(card),
      el("strong", { class: "loyalty__points", id: "loyalty-points", text: tn("loyalty_points", card.balance) }),
    ])
  );
  if (card.tier && card.tier.benefits.length) {
    body.appendChild(el("p", { class: "loyalty__benefits", id: "loyalty-benefits", text: card.tier.benefits.join(" · ") }));
  }
  var rate = t("reward_rate", { points: rewards.points_per_reward, amount: money(toCents(rewards.reward_eur)) });
  body.appendChild(
    el("div", { class: "loyalty__reward" }, [
      el("span", {
        id: "loyalty-rewards",
        text: rewards.count ? tn("rewards_available", rewards.count, { rate: rate }) : t("no_reward_yet", { rate: rate }),
      }),
      el("button", {
        type: "button",
        class: "btn btn--primary btn--small",
        id: "loyalty-apply",
        text: t("apply_reward"),
        disabled: !rewards.count || converting || state.paying,
        onclick: applyReward,
      }),
    ])
  );
  if (card.vouchers.length) {
    body.appendChild(el("p", { class: "loyalty__label", text: t("vouchers_held") }));
    body.appendChild(
      el(
        "ul",
        { class: "loyalty__vouchers", id: "loyalty-vouchers" },
        card.vouchers.map(function (voucher) {
          var text = voucherText(voucher);
          var on = voucher.code.toUpperCase() === applied;
          return el("li", null, [
            el(
              "button",
              {
                type: "button",
                class: "voucher" + (on ? " is-applied" : ""),
                "data-code": voucher.code,
                "aria-pressed": on ? "true" : "false",
                disabled: state.paying,
                onclick: function () {
                  applyCode(voucher.code);
                },
              },
              [
                el("span", { class: "voucher__value", text: text.value }),
                el("span", { class: "voucher__what" }, [
                  el("span", { text: voucher.origin_label }),
                  el("span", { class: "voucher__code", text: voucher.code }),
                ]),
                el("span", { class: "voucher__until", text: on ? t("voucher_applied") : text.until }),
              ]
            ),
          ]);
        })
      )
    );
  }
}

/* A voucher's code becomes the sale's coupon: the quote checks it and takes it off. */
function applyCode(code) {
  if (state.paying) return;
  state.coupon = code.toUpperCase();
  $("coupon").value = state.coupon;
  showCouponState();
  requote();
  paint();
}

function applyReward() {
  var customer = state.customer;
  if (!customer || converting || state.paying) return;
  if (!state.online) return toast(t("loyalty_offline"), "error");
  converting = true;
  paint();
  api("POST", customerUrl(customer.id) + "vouchers/", {}, { "Idempotency-Key": uuid() }).then(
    function (result) {
      converting = false;
      if (!state.customer || state.customer.id !== customer.id) return;
      state.loyalty = result.customer;
      applyCode(result.voucher.code);
      toast(t("reward_applied", { code: result.voucher.code }), "ok");
    },
    function (error) {
      converting = false;
      paint();
      toast(errorText(error), "error");
    }
  );
}
