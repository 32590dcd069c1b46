/*
 * Online / offline, and the queue of sales waiting on this tablet.
 *
 * A sale is written to the IndexedDB queue (PosStore) BEFORE it is sent, and leaves it only once the
 * server answered for its uuid: a sale made offline, or whose request was cut, syncs later through
 * POST sales/sync/ (idempotent by uuid), even after the tab was closed. The #net-status badge shows
 * the network and the queue; a tap on it lists the waiting sales (#dlg-queue).
 */
import { api, errorText, onReachability } from "./api.js";
import { CONFIG, SYNC_BATCH } from "./config.js";
import { t, tn } from "./i18n.js";
import { state } from "./state.js";
import { PosStore } from "./store.js";
import { $, el, money, toast, toCents } from "./ui.js";

var connectivity = function () {};

/* fn(online) runs after the network came back (true) or went away (false). */
export function onConnectivity(fn) {
  connectivity = fn;
}

/* uuids of sales this page is posting right now (not persisted): the sync leaves them alone. */
export var inFlight = new Set();

export function setOnline(online) {
  if (state.online === online) return;
  state.online = online;
  document.body.classList.toggle("is-offline", !online);
  $("coupon").disabled = !online; // a coupon is checked by the server
  renderNetStatus();
  connectivity(online);
}

export function renderNetStatus() {
  var badge = $("net-status");
  var waiting = state.queue.length;
  var failed = state.queue.filter(function (sale) {
    return sale.error;
  }).length;
  var text;
  var mode;
  if (!state.online) {
    mode = "offline";
    text = tn("offline_waiting", waiting);
  } else if (state.syncing) {
    mode = "syncing";
    text = tn("syncing", waiting);
  } else if (waiting) {
    mode = failed ? "error" : "waiting";
    text = failed ? tn("sync_errors", failed) : tn("online_waiting", waiting);
  } else {
    mode = "online";
    text = t("online");
  }
  badge.dataset.state = mode;
  badge.dataset.waiting = String(waiting);
  badge.textContent = text;
  badge.title = failed
    ? state.queue
        .filter(function (sale) {
          return sale.error;
        })
        .map(function (sale) {
          return sale.uuid.slice(0, 8) + ": " + sale.error;
        })
        .join("\n")
    : "";
}

export function loadQueue() {
  return PosStore.queued().then(function (items) {
    state.queue = items.filter(function (sale) {
      return !inFlight.has(sale.uuid);
    });
    renderNetStatus();
    return state.queue;
  });
}

export function syncQueue() {
  if (state.syncing || !state.online) return Promise.resolve();
  return loadQueue().then(function (pending) {
    if (!pending.length) return;
    state.syncing = true;
    renderNetStatus();
    var batches = [];
    for (var i = 0; i < pending.length; i += SYNC_BATCH) batches.push(pending.slice(i, i + SYNC_BATCH));
    var chain = Promise.resolve();
    batches.forEach(function (batch) {
      chain = chain.then(function () {
        return api("POST", "sales/sync/", {
          sales: batch.map(function (sale) {
            return sale.body;
          }),
        }).then(function (data) {
          var byUuid = {};
          batch.forEach(function (sale) {
            byUuid[sale.uuid] = sale;
          });
          var work = (data && data.results ? data.results : []).map(function (result) {
            var sale = byUuid[result.uuid];
            if (!sale) return null;
            if (result.status === "created" || result.status === "duplicate") {
              return PosStore.dequeue(sale.uuid);
            }
            sale.error = (result.error && (result.error.message || result.error)) || t("server_error");
            return PosStore.enqueue(sale);
          });
          return Promise.all(work);
        });
      });
    });
    return chain
      .catch(function (error) {
        if (!error.network) toast(t("sync_failed") + " " + errorText(error), "error");
      })
      .then(function () {
        state.syncing = false;
        return loadQueue();
      })
      .then(function (left) {
        var done = pending.length - left.length;
        if (done > 0) toast(tn("synced", done), "ok");
      });
  });
}

function openQueue() {
  var list = $("queue-list");
  list.textContent = "";
  $("queue-empty").hidden = state.queue.length > 0;
  state.queue.forEach(function (sale) {
    var when = new Date(sale.body.sold_at || sale.queued_at);
    list.appendChild(
      el("li", { class: "queue-item" + (sale.error ? " has-error" : ""), "data-uuid": sale.uuid }, [
        el("strong", { text: when.toLocaleTimeString(CONFIG.language, { hour: "2-digit", minute: "2-digit" }) }),
        el("span", { text: money(toCents(sale.total || "0")) }),
        el("span", { class: "muted", text: tn("n_items", sale.body.lines.reduce(function (n, l) { return n + l.quantity; }, 0)) }),
        el("span", { class: sale.error ? "form-error" : "muted", text: sale.error || t("waiting") }),
      ])
    );
  });
  $("dlg-queue").showModal();
}

export function init() {
  onReachability(setOnline);
  $("net-status").addEventListener("click", openQueue);
  $("queue-retry").addEventListener("click", function () {
    if (!state.online) return toast(t("needs_network"), "error");
    syncQueue().then(function () {
      if ($("dlg-queue").open) {
        $("dlg-queue").close();
        if (state.queue.length) openQueue();
      }
    });
  });
  window.addEventListener("online", function () {
    setOnline(true);
  });
  window.addEventListener("offline", function () {
    setOnline(false);
  });
  window.setInterval(function () {
    if (state.online) syncQueue();
    else if (navigator.onLine) api("GET", "registers/").catch(function () {}); // the Wi-Fi is up: is the server back?
  }, 15000);
}
