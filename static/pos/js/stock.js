/*
 * Live stock: the /ws/stock/ socket follows the SKUs on screen (cart lines and search results) at
 * this store and, when allowed, the other stores; every [data-avail-for=sku] node shows the figures
 * and flashes when they change. The #live-status badge tells the cashier whether it is live.
 */
import { CONFIG } from "./config.js";
import { t } from "./i18n.js";
import { state } from "./state.js";
import { $, el, flash } from "./ui.js";

var socket = null;
var socketSkus = "";
var ownOnly = false;
var attempt = 0;
var retryTimer = null;
var pendingTimer = null;

function badge(stateName) {
  var node = $("live-status");
  node.dataset.state = stateName;
  node.querySelector(".badge__text").textContent = t("live_" + stateName);
}

function watchedSkus() {
  var skus = new Set();
  state.cart.forEach(function (line) {
    skus.add(line.sku);
  });
  document.querySelectorAll("#search-results [data-sku]").forEach(function (node) {
    skus.add(node.dataset.sku);
  });
  return Array.from(skus).sort().slice(0, 400);
}

function locations() {
  var codes = [CONFIG.store.code];
  if (!ownOnly) {
    var seen = {};
    state.catalog.forEach(function (item) {
      Object.keys(item.available_elsewhere || {}).forEach(function (code) {
        seen[code] = true;
      });
    });
    Object.keys(seen)
      .sort()
      .forEach(function (code) {
        if (code !== CONFIG.store.code) codes.push(code);
      });
  }
  return codes;
}

function apply(level, animate) {
  var levels = state.stock.get(level.sku);
  if (!levels) {
    levels = {};
    state.stock.set(level.sku, levels);
  }
  var current = levels[level.location];
  if (current && level.version < current.version) return;
  var changed = !current || current.available !== level.available;
  levels[level.location] = { available: level.available, version: level.version };
  var item = state.catalog.get(level.sku);
  if (item) {
    if (level.location === CONFIG.store.code) item.available_here = level.available;
    else item.available_elsewhere[level.location] = level.available;
  }
  if (changed) renderAvailability(level.sku, animate);
}

function close() {
  if (socket) {
    var old = socket;
    socket = null;
    old.onclose = null;
    old.close();
  }
}

function connect() {
  retryTimer = null;
  var skus = watchedSkus();
  socketSkus = skus.join(",");
  if (!skus.length || !state.online || !("WebSocket" in window)) {
    close();
    badge(state.online ? "idle" : "offline");
    return;
  }
  close();
  var proto = window.location.protocol === "https:" ? "wss:" : "ws:";
  var params = new URLSearchParams();
  var codes = locations();
  params.set("locations", codes.join(","));
  params.set("skus", socketSkus);
  var ws = new WebSocket(proto + "//" + window.location.host + CONFIG.urls.ws + "?" + params.toString());
  socket = ws;
  // Following one more SKU re-subscribes: the badge stays "live" meanwhile, no flicker.
  if ($("live-status").dataset.state !== "live" || attempt) badge(attempt ? "reconnecting" : "connecting");
  ws.onmessage = function (event) {
    var message;
    try {
      message = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (message.type === "snapshot") {
      (message.levels || []).forEach(function (level) {
        apply(level, attempt > 0);
      });
      attempt = 0;
      badge("live");
      document.body.dataset.liveSince = String(Date.now());
    } else if (message.type === "stock.changed") {
      apply(message, true);
    }
  };
  ws.onclose = function (event) {
    if (socket !== ws) return;
    socket = null;
    if (event.code === 4403 && codes.length > 1) {
      ownOnly = true; // this user may only follow their own store live
      connect();
      return;
    }
    if (event.code === 4401 || event.code === 4403 || event.code === 4400) {
      badge("denied");
      return;
    }
    var delay = Math.min(15000, 500 * Math.pow(2, attempt));
    delay = delay / 2 + Math.random() * (delay / 2);
    attempt += 1;
    badge(state.online ? "reconnecting" : "offline");
    retryTimer = window.setTimeout(connect, delay);
  };
}

export var Live = {
  /* The set of SKUs on screen changed: reconnect (debounced) if a new one must be followed. */
  watch: function () {
    window.clearTimeout(pendingTimer);
    pendingTimer = window.setTimeout(function () {
      var wanted = watchedSkus();
      var have = socketSkus ? socketSkus.split(",") : [];
      var missing = wanted.some(function (sku) {
        return have.indexOf(sku) === -1;
      });
      if (missing || (!socket && !retryTimer)) connect();
    }, 250);
  },
  refresh: function () {
    window.clearTimeout(retryTimer);
    attempt = 0;
    connect();
  },
  snapshot: function () {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify({ action: "snapshot" }));
  },
};

// --- availability on screen -------------------------------------------------------------------------

function availabilityOf(sku) {
  var item = state.catalog.get(sku);
  var levels = state.stock.get(sku) || {};
  var here = levels[CONFIG.store.code] ? levels[CONFIG.store.code].available : item ? item.available_here : null;
  var elsewhere = {};
  if (item) Object.assign(elsewhere, item.available_elsewhere || {});
  Object.keys(levels).forEach(function (code) {
    if (code !== CONFIG.store.code) elsewhere[code] = levels[code].available;
  });
  return { here: here, elsewhere: elsewhere };
}

/* A <span data-avail-for=sku> with the figures here and elsewhere, kept up to date live. */
export function availabilityNode(sku) {
  var avail = availabilityOf(sku);
  var node = el("span", { class: "avail", "data-avail-for": sku });
  fillAvailability(node, avail);
  return node;
}

function fillAvailability(node, avail) {
  node.textContent = "";
  var here = avail.here;
  node.appendChild(
    el("span", {
      class: "avail__here" + (here !== null && here <= 0 ? " is-out" : here !== null && here <= 2 ? " is-low" : ""),
      "data-here": here === null ? "" : String(here),
      text: here === null ? t("stock_unknown") : t("n_here", { n: here }),
    })
  );
  Object.keys(avail.elsewhere)
    .sort()
    .forEach(function (code) {
      var n = avail.elsewhere[code];
      var name = (CONFIG.stores || {})[code] || code;
      node.appendChild(
        el("span", {
          class: "avail__other" + (n <= 0 ? " is-out" : ""),
          "data-location": code,
          title: name,
          text: name.split(" — ")[0] + " " + n,
        })
      );
    });
}

function renderAvailability(sku, animate) {
  var avail = availabilityOf(sku);
  document.querySelectorAll('[data-avail-for="' + CSS.escape(sku) + '"]').forEach(function (node) {
    fillAvailability(node, avail);
    if (animate) flash(node);
  });
}
