/*
 * Live stock grid (/stock/): keeps the cells of #stock-grid up to date through /ws/stock/.
 *
 * The server sends a "snapshot" first (on every (re)connection), then "stock.changed" messages.
 * A message whose version is lower than the cell's is stale (messages can arrive out of order
 * through different processes) and is ignored. Reconnects with exponential backoff and jitter;
 * stops on 4401/4403 (not logged in / not allowed), where retrying cannot help.
 */
(function () {
  "use strict";

  var table = document.getElementById("stock-grid");
  var badge = document.getElementById("live-status");
  if (!table) return;

  var labels = {
    onHand: table.dataset.labelOnHand || "On hand",
    reserved: table.dataset.labelReserved || "Reserved",
    reservedShort: table.dataset.labelReservedShort || "res.",
  };
  var cells = new Map(); // "SKU|LOC" -> <td>
  table.querySelectorAll("td[data-sku][data-location]").forEach(function (td) {
    cells.set(td.dataset.sku + "|" + td.dataset.location, td);
  });

  var FINAL_CODES = { 4401: "denied", 4403: "denied", 4400: "denied" };
  var MIN_DELAY = 500;
  var MAX_DELAY = 15000;
  var attempt = 0;
  var socket = null;
  var retryTimer = null;

  function setStatus(state, extra) {
    if (!badge) return;
    badge.dataset.state = state;
    var text = badge.dataset["label" + state.charAt(0).toUpperCase() + state.slice(1)] || state;
    badge.querySelector(".live-badge__text").textContent = extra ? text + " " + extra : text;
  }

  function socketUrl() {
    var proto = window.location.protocol === "https:" ? "wss:" : "ws:";
    var params = new URLSearchParams();
    if (table.dataset.locations) params.set("locations", table.dataset.locations);
    if (table.dataset.skus) params.set("skus", table.dataset.skus);
    // Only what changed since the page was read, or since the last snapshot (its cursor).
    if (table.dataset.since) params.set("since", table.dataset.since);
    return proto + "//" + window.location.host + (table.dataset.wsPath || "/ws/stock/") + "?" + params.toString();
  }

  function flash(td) {
    td.classList.remove("is-flash");
    void td.offsetWidth; // restart the animation if the cell changes twice in a row
    td.classList.add("is-flash");
  }

  function updateTotal(sku) {
    var total = table.querySelector('td[data-total-for="' + CSS.escape(sku) + '"]');
    if (!total) return;
    var sum = 0;
    var any = false;
    table.querySelectorAll('td[data-sku="' + CSS.escape(sku) + '"][data-location]').forEach(function (td) {
      if (td.dataset.available !== undefined && td.dataset.available !== "") {
        sum += Number(td.dataset.available);
        any = true;
      }
    });
    total.textContent = any ? String(sum) : "–";
  }

  /* Apply one level; returns true when the cell's figures changed. */
  function apply(level, animate) {
    var td = cells.get(level.sku + "|" + level.location);
    if (!td) return false;
    var current = Number(td.dataset.version || 0);
    if (level.version < current) return false; // stale: we already show something newer
    var changed =
      td.dataset.available !== String(level.available) ||
      td.dataset.onHand !== String(level.on_hand) ||
      td.dataset.reserved !== String(level.reserved);
    td.dataset.version = String(level.version);
    td.dataset.available = String(level.available);
    td.dataset.onHand = String(level.on_hand);
    td.dataset.reserved = String(level.reserved);
    td.querySelector(".cell__qty").textContent = String(level.available);
    var res = td.querySelector(".cell__res");
    if (res) {
      res.hidden = !level.reserved;
      res.textContent = level.reserved + " " + labels.reservedShort;
    }
    td.title = labels.onHand + ": " + level.on_hand + " · " + labels.reserved + ": " + level.reserved;
    var threshold = td.dataset.threshold === "" ? null : Number(td.dataset.threshold);
    td.classList.toggle("is-low", threshold !== null && level.available <= threshold);
    td.classList.toggle("is-out", level.available <= 0);
    td.classList.remove("is-empty");
    if (changed) {
      updateTotal(level.sku);
      if (animate) flash(td);
    }
    return changed;
  }

  function onMessage(event) {
    var message;
    try {
      message = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (message.type === "snapshot") {
      // The first snapshot after page load changes nothing visible; after a reconnect, it brings
      // what we missed, and those cells flash.
      (message.levels || []).forEach(function (level) {
        apply(level, true);
      });
      if (message.cursor) table.dataset.since = message.cursor;
      attempt = 0;
      setStatus("live");
      table.dataset.liveSince = String(Date.now());
    } else if (message.type === "stock.changed") {
      apply(message, true);
    }
  }

  function scheduleReconnect() {
    var delay = Math.min(MAX_DELAY, MIN_DELAY * Math.pow(2, attempt));
    delay = delay / 2 + Math.random() * (delay / 2); // jitter: tablets of a store do not reconnect in step
    attempt += 1;
    setStatus("reconnecting");
    retryTimer = window.setTimeout(connect, delay);
  }

  function connect() {
    retryTimer = null;
    if (!("WebSocket" in window)) {
      setStatus("unsupported");
      return;
    }
    setStatus(attempt ? "reconnecting" : "connecting");
    socket = new WebSocket(socketUrl());
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", function (event) {
      socket = null;
      if (FINAL_CODES[event.code]) {
        setStatus(FINAL_CODES[event.code]);
        return;
      }
      scheduleReconnect();
    });
  }

  table.querySelectorAll("td[data-total-for]").forEach(function (td) {
    updateTotal(td.dataset.totalFor);
  });

  // A tablet waking up from sleep: reconnect at once instead of waiting for the backoff.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !socket && retryTimer) {
      window.clearTimeout(retryTimer);
      attempt = 0;
      connect();
    }
  });
  window.addEventListener("online", function () {
    if (!socket && retryTimer) {
      window.clearTimeout(retryTimer);
      attempt = 0;
      connect();
    }
  });

  connect();
})();
