/*
 * The cashier's register (/pos/): a plain-JS app over the POS JSON API (/api/v1/pos/) and the live
 * stock socket (/ws/stock/). Native ES modules, no framework, no build step; this one boots it.
 *
 * Money is handled in integer cents and sent as "12.34" strings; the server recomputes every total.
 *
 * The modules import each other without cycles (collectstatic's hashed names need that), from the
 * bottom up: config, state, i18n, ui, store -> api -> screens, stock, catalog, offline -> sale,
 * payment, totals, discount -> cart -> loyalty -> customer -> checkout, scanner -> session -> closing; returns
 * and pickups; exchange, receipt_mail, favourites (after cart); main. A lower module that must tell a higher one something takes a callback
 * (onReachability, onConnectivity, onCatalogChange, onEnter), wired here. Importing a module only
 * defines things: each init() below adds its listeners and timers, in this order.
 */
import { api } from "./api.js";
import * as cart from "./cart.js";
import * as catalog from "./catalog.js";
import * as checkout from "./checkout.js";
import * as closing from "./closing.js";
import { CONFIG } from "./config.js";
import * as customer from "./customer.js";
import * as discount from "./discount.js";
import { t } from "./i18n.js";
import { renderLoyalty } from "./loyalty.js";
import * as offline from "./offline.js";
import * as payment from "./payment.js";
import * as pickups from "./pickups.js";
import * as ereserve from "./ereserve.js";
import * as returns from "./returns.js";
import * as scanner from "./scanner.js";
import { focusScan, go } from "./screens.js";
import * as session from "./session.js";
import { state } from "./state.js";
import { Live } from "./stock.js";
import { PosStore } from "./store.js";
import { renderTotals } from "./totals.js";
import * as exchange from "./exchange.js";
import * as favourites from "./favourites.js";
import * as receiptMail from "./receipt_mail.js";
import { $, ask, el, toast } from "./ui.js";

/* The network came back or went away: prices, tenders and the live socket follow. */
function connectivityChanged(online) {
  payment.renderPayment();
  renderLoyalty(); // the loyalty panel needs the network: it says so offline, reloads online
  if (online) {
    offline.syncQueue();
    Live.refresh();
    if (state.session) catalog.refreshCatalog(); // what changed while offline: a delta
    favourites.load();
    if (state.cart.length && !state.paying) cart.requote(); // promotions and coupon, from the server again
  } else if (!state.paying) {
    renderTotals();
  }
}

/* Buttons anywhere: data-close (a dialog's cancel), data-go (a screen), data-action. */
function onClick(event) {
  var target = event.target.closest("[data-go], [data-action], [data-close]");
  if (!target) return;
  if (target.hasAttribute("data-close")) {
    target.closest("dialog").close();
    focusScan();
    return;
  }
  if (target.dataset.go) {
    if (state.paying && target.dataset.go !== "sale") return toast(t("finish_payment"), "error");
    go(target.dataset.go);
    return;
  }
  switch (target.dataset.action) {
    case "cash":
      session.openCash();
      break;
    case "customer":
      customer.openCustomer();
      break;
    case "customer-clear":
      customer.clearCustomer();
      break;
    case "clear-cart":
      if (!state.cart.length) {
        checkout.resetSale();
        focusScan();
        break;
      }
      ask({ title: t("cancel_title"), text: t("cancel_confirm"), ok: t("cancel_ok"), cancel: t("cancel_keep"), danger: true }).then(
        function (yes) {
          if (yes) checkout.resetSale();
          focusScan();
        }
      );
      break;
    case "email-receipt":
      receiptMail.emailLastSale();
      break;
    case "email-past-receipt":
      receiptMail.emailPastSale();
      break;
    case "exchange-reset":
      exchange.reset();
      break;
    case "pay-cancel":
      checkout.stopPayment();
      break;
    case "new-sale":
      checkout.resetSale();
      focusScan();
      break;
    case "pickups-refresh":
      pickups.loadPickups();
      break;
    case "ereserve-refresh":
      ereserve.loadReservations();
      break;
    case "z-done":
      session.showPicker();
      break;
  }
}

/* The tablet's catalog, queue and session first; then the server says whether the session is on. */
function start() {
  document.body.classList.toggle("is-offline", !state.online);
  offline.renderNetStatus();
  Promise.all([catalog.loadCatalogFromDb(), offline.loadQueue(), PosStore.getMeta("session")])
    .then(function (out) {
      var saved = out[2];
      favourites.render(); // the tiles of the items the tablet's catalog holds (offline too)
      if (!state.online) {
        if (saved) {
          session.setSession(saved);
          go("sale");
        } else {
          go("picker");
          $("register-list").textContent = "";
          $("register-list").appendChild(el("li", { class: "form-error", text: t("offline_no_session") }));
        }
        return;
      }
      offline.syncQueue();
      if (!saved) return session.showPicker();
      return api("GET", "sessions/" + saved.id + "/").then(
        function (data) {
          if (data && data.status && data.status !== "open") {
            session.setSession(null);
            return session.showPicker();
          }
          session.setSession(saved);
          session.startSelling();
        },
        function (error) {
          if (error.network) {
            session.setSession(saved);
            go("sale");
            return;
          }
          session.setSession(null);
          session.showPicker();
        }
      );
    })
    .catch(function (error) {
      toast(t("storage_error") + " " + (error && error.message ? error.message : ""), "error");
      session.showPicker();
    });
}

offline.onConnectivity(connectivityChanged);
catalog.onCatalogChange(function () {
  cart.renderCart();
  favourites.render(); // a tile whose item just arrived (or left) in the catalog
});

session.init();
scanner.init();
cart.init();
customer.init();
discount.init();
payment.init();
checkout.init();
returns.init();
exchange.init();
favourites.init();
pickups.init();
ereserve.init();
closing.init();
offline.init();
document.addEventListener("click", onClick);
/* The language picker submits itself (no inline onchange: the Content-Security-Policy refuses it). */
document.addEventListener("change", function (event) {
  var select = event.target;
  if (select instanceof HTMLSelectElement && select.hasAttribute("data-autosubmit") && select.form) {
    select.form.submit();
  }
});
catalog.init();

if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.register(CONFIG.urls.sw, { scope: "/pos/" }).catch(function () {
    /* the register still works online without it */
  });
}

window.PosApp = { state: state, syncQueue: offline.syncQueue, refreshCatalog: catalog.refreshCatalog };
start();
