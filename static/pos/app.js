/*
 * The cashier's register (/pos/): a plain-JS app over the POS JSON API (/api/v1/pos/) and the live
 * stock socket (/ws/stock/). No framework, no build step.
 *
 * Money is handled in integer cents and sent as "12.34" strings; the server recomputes every total.
 *
 * A sale is written to the IndexedDB queue (PosStore) BEFORE it is sent, and leaves it only once the
 * server answered for its uuid: a sale made offline, or whose request was cut, syncs later through
 * POST sales/sync/ (idempotent by uuid), even after the tab was closed.
 */
(function () {
  "use strict";

  var CONFIG = JSON.parse(document.getElementById("pos-config").textContent);
  var T = JSON.parse(document.getElementById("pos-strings").textContent);
  var API = CONFIG.urls.api;
  var OFFLINE_TENDERS = { cash: true, card: true };
  var SYNC_BATCH = 50;
  var CATALOG_REFRESH_MS = 10 * 60 * 1000;

  var state = {
    online: navigator.onLine,
    session: null, // {id, register: {id, code, name}}
    screen: "loading",
    catalog: new Map(), // sku -> item
    byEan: new Map(), // ean13 -> item
    promotions: [],
    cart: [], // {sku, quantity, discount (cents), discount_reason}
    customer: null,
    coupon: "",
    quote: null,
    quoteSeq: 0,
    paying: false,
    tenders: [], // {kind, amount (cents), reference}
    stock: new Map(), // sku -> {LOC: {available, version}}
    queue: [],
    syncing: false,
    lastSale: null,
  };

  // --- small helpers ------------------------------------------------------------------------------

  function $(id) {
    return document.getElementById(id);
  }

  function t(key, vars) {
    var text = T[key] || key;
    if (vars) {
      Object.keys(vars).forEach(function (name) {
        text = text.split("{" + name + "}").join(String(vars[name]));
      });
    }
    return text;
  }

  var pluralRules = new Intl.PluralRules(CONFIG.language || "fr");

  /* A sentence with a count: "<key>_one" or "<key>_other" by the language's plural rules. */
  function tn(key, n, vars) {
    var form = pluralRules.select(n) === "one" ? "_one" : "_other";
    return t(key + form, Object.assign({ n: n }, vars || {}));
  }

  var moneyFormat = new Intl.NumberFormat(CONFIG.language || "fr", {
    style: "currency",
    currency: CONFIG.currency || "EUR",
  });

  function toCents(value) {
    if (value === null || value === undefined || value === "") return 0;
    if (typeof value === "number") return Math.round(value * 100);
    var text = String(value).trim().replace(/\s/g, "").replace(",", ".");
    if (!/^-?\d+(\.\d*)?$/.test(text)) return NaN;
    return Math.round(parseFloat(text) * 100);
  }

  function fromCents(cents) {
    var sign = cents < 0 ? "-" : "";
    var abs = Math.abs(cents);
    return sign + Math.floor(abs / 100) + "." + String(abs % 100).padStart(2, "0");
  }

  function money(cents) {
    return moneyFormat.format(cents / 100);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "text") node.textContent = value;
        else if (key === "class") node.className = value;
        else if (key.indexOf("on") === 0) node.addEventListener(key.slice(2), value);
        else if (key in node && key !== "list") node[key] = value;
        else node.setAttribute(key, value === true ? "" : value);
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function showError(id, message) {
    var node = $(id);
    if (!node) return;
    node.textContent = message || "";
    node.hidden = !message;
  }

  var toastTimer = null;
  function toast(message, kind) {
    var node = $("toast");
    node.textContent = message;
    node.dataset.kind = kind || "info";
    node.hidden = false;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(function () {
      node.hidden = true;
    }, kind === "error" ? 6000 : 2200);
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // Non-secure origins (a tablet on plain http in a shop's LAN) lack randomUUID.
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return b.toString(16).padStart(2, "0");
    });
    return [hex.slice(0, 4), hex.slice(4, 6), hex.slice(6, 8), hex.slice(8, 10), hex.slice(10)]
      .map(function (part) {
        return part.join("");
      })
      .join("-");
  }

  // --- the API ------------------------------------------------------------------------------------

  function NetworkError(message) {
    this.name = "NetworkError";
    this.message = message;
    this.network = true;
  }

  function ApiError(status, data) {
    this.name = "ApiError";
    this.status = status;
    this.data = data || {};
    this.code = this.data.code || "error";
    this.message = this.data.message || t("server_error");
  }

  function errorText(error) {
    if (!error) return t("server_error");
    if (error.network) return t("network_error");
    var text = error.message || t("server_error");
    var detail = error.data && error.data.detail;
    if (error.code === "invalid" && detail && typeof detail === "object") {
      var parts = [];
      Object.keys(detail).forEach(function (field) {
        var value = detail[field];
        parts.push(field + ": " + (Array.isArray(value) ? value.join(" ") : JSON.stringify(value)));
      });
      if (parts.length) text += " (" + parts.join("; ") + ")";
    }
    return text;
  }

  function api(method, path, body, headers) {
    var url = path.indexOf("/") === 0 ? path : API + path;
    var options = {
      method: method,
      credentials: "same-origin",
      headers: Object.assign(
        { Accept: "application/json", "Accept-Language": document.documentElement.lang || "fr" },
        headers || {}
      ),
    };
    if (method !== "GET") {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrfToken();
      options.body = JSON.stringify(body || {});
    }
    return fetch(url, options).then(
      function (response) {
        setOnline(true);
        return response.text().then(function (text) {
          var data = null;
          try {
            data = text ? JSON.parse(text) : null;
          } catch (e) {
            data = null;
          }
          if (!response.ok) throw new ApiError(response.status, data);
          return data;
        });
      },
      function () {
        setOnline(false);
        throw new NetworkError(t("network_error"));
      }
    );
  }

  function listOf(data) {
    if (Array.isArray(data)) return data;
    if (data && Array.isArray(data.results)) return data.results;
    return [];
  }

  // --- online / offline and the queue badge ------------------------------------------------------

  function setOnline(online) {
    if (state.online === online) return;
    state.online = online;
    document.body.classList.toggle("is-offline", !online);
    $("coupon").disabled = !online; // a coupon is checked by the server
    renderNetStatus();
    renderPayment();
    if (online) {
      syncQueue();
      Live.refresh();
      if (state.cart.length && !state.paying) requote(); // promotions and coupon, from the server again
    } else if (!state.paying) {
      renderTotals();
    }
  }

  function renderNetStatus() {
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

  var inFlight = new Set(); // uuids of sales this page is posting right now (not persisted)

  function loadQueue() {
    return PosStore.queued().then(function (items) {
      state.queue = items.filter(function (sale) {
        return !inFlight.has(sale.uuid);
      });
      renderNetStatus();
      return state.queue;
    });
  }

  function syncQueue() {
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

  // --- catalog (IndexedDB, refreshed online) -----------------------------------------------------

  function normaliseItem(raw) {
    return {
      sku: raw.sku,
      ean13: raw.ean13 || raw.ean || "",
      name: raw.name || raw.product_name || raw.sku,
      options: raw.options || "",
      price_gross: String(raw.price_gross !== undefined ? raw.price_gross : raw.price || "0"),
      vat_rate: raw.vat_rate !== undefined ? String(raw.vat_rate) : "",
      available_here: raw.available_here !== undefined ? Number(raw.available_here) : null,
      available_elsewhere: raw.available_elsewhere || {},
    };
  }

  function optionsText(item) {
    var options = item.options;
    if (!options) return "";
    if (typeof options === "string") return options;
    if (Array.isArray(options)) {
      return options
        .map(function (o) {
          return typeof o === "string" ? o : o.value || o.name || "";
        })
        .join(" · ");
    }
    return Object.keys(options)
      .map(function (k) {
        return options[k];
      })
      .join(" · ");
  }

  function indexCatalog(items) {
    state.catalog = new Map();
    state.byEan = new Map();
    items.forEach(function (item) {
      state.catalog.set(item.sku, item);
      if (item.ean13) state.byEan.set(item.ean13, item);
      item._search = (item.name + " " + item.sku + " " + optionsText(item) + " " + item.ean13).toLowerCase();
    });
  }

  function loadCatalogFromDb() {
    return Promise.all([PosStore.allCatalog(), PosStore.getMeta("promotions")]).then(function (out) {
      indexCatalog(out[0]);
      state.promotions = out[1] || [];
      return out[0].length;
    });
  }

  /* GET catalog/ pages by variant id: ?after=<the previous page's next_after> until it is null. */
  function fetchCatalog() {
    var items = [];
    var promotions = null;
    function page(after) {
      return api("GET", "catalog/?limit=5000&after=" + after).then(function (data) {
        var rows = Array.isArray(data) ? data : data.results || [];
        rows.forEach(function (row) {
          items.push(normaliseItem(row));
        });
        if (data && !Array.isArray(data)) {
          if (promotions === null && Array.isArray(data.promotions)) promotions = data.promotions;
          if (data.next_after !== null && data.next_after !== undefined && rows.length) return page(data.next_after);
        }
        return null;
      });
    }
    return page(0).then(function () {
      promotions = promotions || [];
      indexCatalog(items);
      state.promotions = promotions;
      return Promise.all([
        PosStore.replaceCatalog(
          items.map(function (item) {
            var copy = Object.assign({}, item);
            delete copy._search;
            return copy;
          })
        ),
        PosStore.setMeta("promotions", promotions),
        PosStore.setMeta("catalog_at", Date.now()),
      ]).then(function () {
        renderCart();
        return items.length;
      });
    });
  }

  function refreshCatalog() {
    if (!state.online) return Promise.resolve();
    return fetchCatalog().catch(function (error) {
      if (!error.network) toast(t("catalog_failed") + " " + errorText(error), "error");
    });
  }

  // --- live stock (/ws/stock/) -------------------------------------------------------------------

  var Live = (function () {
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

    return {
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
  })();

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

  function availabilityNode(sku) {
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
      if (animate) {
        node.classList.remove("is-flash");
        void node.offsetWidth;
        node.classList.add("is-flash");
      }
    });
  }

  // --- screens ------------------------------------------------------------------------------------

  function go(screen) {
    if (state.screen !== screen && $("toast").dataset.kind !== "error") $("toast").hidden = true;
    state.screen = screen;
    document.body.dataset.screen = screen;
    document.querySelectorAll(".screen").forEach(function (section) {
      section.hidden = section.dataset.screenName !== screen;
    });
    document.querySelectorAll("[data-go]").forEach(function (button) {
      if (button.classList.contains("nav-btn")) button.setAttribute("aria-pressed", String(button.dataset.go === screen));
    });
    $("nav").hidden = !state.session;
    if (screen === "sale") focusScan();
    if (screen === "pickups") loadPickups();
    if (screen === "close") renderCountGrid();
    if (screen === "returns") window.setTimeout(function () {
      $("return-number").focus();
    }, 0);
  }

  function setSession(session) {
    state.session = session;
    var label = $("register-label");
    if (session) {
      label.hidden = false;
      label.textContent = (session.register && (session.register.name || session.register.code)) || "#" + session.id;
      return PosStore.setMeta("session", session);
    }
    label.hidden = true;
    return PosStore.deleteMeta("session");
  }

  // --- register picker and opening -----------------------------------------------------------------

  var chosenRegister = null;

  function openSessionOf(register) {
    var open = register.open_session;
    if (open === null || open === undefined) return null;
    return typeof open === "object" ? open : { id: open };
  }

  function showPicker() {
    go("picker");
    $("open-form").hidden = true;
    var list = $("register-list");
    list.textContent = "";
    list.appendChild(el("li", { class: "muted", text: t("loading") }));
    api("GET", "registers/").then(
      function (data) {
        list.textContent = "";
        var registers = listOf(data);
        if (!registers.length) list.appendChild(el("li", { class: "muted", text: t("no_registers") }));
        registers.forEach(function (register) {
          var open = openSessionOf(register);
          var openedBy = (open && open.opened_by) || "";
          list.appendChild(
            el("li", null, [
              el(
                "button",
                {
                  type: "button",
                  class: "register-card" + (open ? " is-open" : ""),
                  "data-register": register.code,
                  onclick: function () {
                    chooseRegister(register);
                  },
                },
                [
                  el("span", { class: "register-card__name", text: register.name || register.code }),
                  el("span", { class: "register-card__code", text: register.code }),
                  el("span", {
                    class: "register-card__state",
                    text: open ? (openedBy ? t("register_open", { who: openedBy }) : t("register_in_use")) : t("register_closed"),
                  }),
                ]
              ),
            ])
          );
        });
      },
      function (error) {
        list.textContent = "";
        list.appendChild(el("li", { class: "form-error", text: errorText(error) }));
      }
    );
  }

  function chooseRegister(register) {
    var open = openSessionOf(register);
    if (open) {
      setSession({ id: open.id, register: { id: register.id, code: register.code, name: register.name } }).then(
        startSelling
      );
      return;
    }
    chosenRegister = register;
    $("open-title").textContent = t("open_register", { name: register.name || register.code });
    $("open-form").hidden = false;
    showError("open-error", "");
    $("opening-float").value = "";
    $("opening-float").focus();
  }

  $("open-cancel").addEventListener("click", function () {
    $("open-form").hidden = true;
    chosenRegister = null;
  });

  $("open-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var cents = toCents($("opening-float").value);
    if (isNaN(cents) || cents < 0 || $("opening-float").value.trim() === "") {
      showError("open-error", t("bad_amount"));
      return;
    }
    var register = chosenRegister;
    api("POST", "sessions/", { register: register.code, opening_float: fromCents(cents) }, { "Idempotency-Key": uuid() }).then(
      function (session) {
        setSession({
          id: session.id,
          register: { id: register.id, code: register.code, name: register.name },
        }).then(startSelling);
        toast(t("register_opened"), "ok");
      },
      function (error) {
        showError("open-error", errorText(error));
      }
    );
  });

  function startSelling() {
    resetSale();
    go("sale");
    refreshCatalog();
  }

  // --- the sale -----------------------------------------------------------------------------------

  function focusScan() {
    if (state.screen !== "sale" || state.paying) return;
    if (document.querySelector("dialog[open]")) return;
    var scan = $("scan");
    if (document.activeElement !== scan) scan.focus({ preventScroll: true });
  }

  function lineOf(sku) {
    return state.cart.find(function (line) {
      return line.sku === sku;
    });
  }

  function addToCart(item) {
    if (state.paying) return;
    var line = lineOf(item.sku);
    if (line) line.quantity += 1;
    else state.cart.push({ sku: item.sku, quantity: 1, discount: 0, discount_reason: "" });
    hideDone();
    renderCart();
    requote();
    Live.watch();
    var row = document.querySelector('#cart-lines tr[data-sku="' + CSS.escape(item.sku) + '"]');
    if (row) {
      row.classList.remove("is-flash");
      void row.offsetWidth;
      row.classList.add("is-flash");
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function findByCode(code) {
    var text = code.trim();
    if (!text) return null;
    return state.byEan.get(text) || state.catalog.get(text) || state.catalog.get(text.toUpperCase()) || null;
  }

  function search(text) {
    var words = text.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    var out = [];
    var iterator = state.catalog.values();
    for (var step = iterator.next(); !step.done && out.length < 24; step = iterator.next()) {
      var item = step.value;
      if (
        words.every(function (word) {
          return item._search.indexOf(word) !== -1;
        })
      )
        out.push(item);
    }
    return out;
  }

  function renderResults(items, query) {
    var list = $("search-results");
    list.textContent = "";
    if (!query) {
      list.hidden = true;
      return;
    }
    if (!items.length) {
      list.appendChild(el("li", { class: "results__none", text: t("no_match", { q: query }) }));
    }
    items.forEach(function (item) {
      list.appendChild(
        el("li", { "data-sku": item.sku }, [
          el(
            "button",
            {
              type: "button",
              class: "result",
              onclick: function () {
                addToCart(item);
                $("scan").value = "";
                renderResults([], "");
                focusScan();
              },
            },
            [
              el("span", { class: "result__name" }, [
                el("strong", { text: item.name }),
                el("span", { class: "muted", text: " " + optionsText(item) }),
              ]),
              el("span", { class: "result__sku", text: item.sku }),
              availabilityNode(item.sku),
              el("span", { class: "result__price", text: money(toCents(item.price_gross)) }),
            ]
          ),
        ])
      );
    });
    list.hidden = false;
    Live.watch();
  }

  var searchTimer = null;
  $("scan").addEventListener("input", function () {
    var value = $("scan").value;
    window.clearTimeout(searchTimer);
    if (/^\d+$/.test(value.trim()) || value.trim().length < 2) {
      renderResults([], ""); // a scanner is typing digits: no flicker of results
      return;
    }
    searchTimer = window.setTimeout(function () {
      renderResults(search(value), value.trim());
    }, 120);
  });

  $("scan-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = $("scan").value.trim();
    if (!value) return;
    window.clearTimeout(searchTimer);
    var item = findByCode(value);
    if (item) {
      addToCart(item);
      $("scan").value = "";
      renderResults([], "");
      return;
    }
    if (SALE_NUMBER.test(value) && !state.cart.length) {
      // A receipt's barcode scanned at the sale screen: the customer is bringing something back.
      $("scan").value = "";
      renderResults([], "");
      go("returns");
      $("return-number").value = value.toUpperCase();
      $("return-find").requestSubmit();
      return;
    }
    if (LOYALTY_CARD.test(value)) {
      // The QR code of a customer's web account (their loyalty card number), read by the scanner.
      $("scan").value = "";
      renderResults([], "");
      identifyByCard(value);
      return;
    }
    var found = search(value);
    if (found.length === 1) {
      addToCart(found[0]);
      $("scan").value = "";
      renderResults([], "");
      return;
    }
    if (/^\d{8,14}$/.test(value)) {
      toast(t("unknown_barcode", { code: value }), "error");
      $("scan").value = "";
      renderResults([], "");
      return;
    }
    renderResults(found, value);
  });

  $("scan").addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      $("scan").value = "";
      renderResults([], "");
    }
  });

  // The barcode field keeps the focus: a tap anywhere that is not a field or a dialog gives it back.
  document.addEventListener("click", function (event) {
    if (state.screen !== "sale") return;
    var target = event.target;
    if (target.closest("input, select, textarea, dialog, a, .pay")) return;
    window.setTimeout(focusScan, 0);
  });
  $("scan").addEventListener("blur", function () {
    window.setTimeout(function () {
      var active = document.activeElement;
      if (!active || active === document.body) focusScan();
    }, 200);
  });

  function changeQuantity(sku, delta) {
    var line = lineOf(sku);
    if (!line || state.paying) return;
    line.quantity += delta;
    if (line.quantity <= 0) {
      state.cart = state.cart.filter(function (other) {
        return other !== line;
      });
    }
    renderCart();
    requote();
  }

  function removeLine(sku) {
    if (state.paying) return;
    state.cart = state.cart.filter(function (line) {
      return line.sku !== sku;
    });
    renderCart();
    requote();
  }

  function quoteLine(sku) {
    if (!state.quote || !state.quote.lines) return null;
    return state.quote.lines[sku] || null;
  }

  function localLineTotal(line) {
    var item = state.catalog.get(line.sku);
    var unit = item ? toCents(item.price_gross) : 0;
    return unit * line.quantity - line.discount;
  }

  function renderCart() {
    var body = $("cart-lines");
    body.textContent = "";
    state.cart.forEach(function (line) {
      var item = state.catalog.get(line.sku) || { name: line.sku, sku: line.sku, price_gross: "0" };
      var quoted = quoteLine(line.sku);
      var unit = quoted && quoted.unit !== null ? quoted.unit : toCents(item.price_gross);
      var total = quoted && quoted.total !== null ? quoted.total : localLineTotal(line);
      var notes = [];
      if (line.discount) {
        notes.push(el("span", { class: "tag tag--discount", text: "−" + money(line.discount) + " · " + line.discount_reason }));
      }
      if (quoted && quoted.promotion) notes.push(el("span", { class: "tag tag--promo", text: quoted.promotion }));
      body.appendChild(
        el("tr", { "data-sku": line.sku }, [
          el("td", { class: "cart__item" }, [
            el("span", { class: "cart__name", text: item.name }),
            el("span", { class: "cart__meta" }, [
              el("span", { class: "muted", text: [optionsText(item), line.sku].filter(Boolean).join(" · ") }),
            ]),
            availabilityNode(line.sku),
            notes.length ? el("span", { class: "cart__notes" }, notes) : null,
          ]),
          el("td", { class: "num", text: money(unit) }),
          el("td", { class: "qty-col" }, [
            el("div", { class: "qty" }, [
              el("button", {
                type: "button",
                class: "qty__btn",
                "aria-label": t("less", { name: item.name }),
                text: "−",
                disabled: state.paying,
                onclick: function () {
                  changeQuantity(line.sku, -1);
                },
              }),
              el("span", { class: "qty__n", "data-qty": line.sku, text: String(line.quantity) }),
              el("button", {
                type: "button",
                class: "qty__btn",
                "aria-label": t("more", { name: item.name }),
                text: "+",
                disabled: state.paying,
                onclick: function () {
                  changeQuantity(line.sku, 1);
                },
              }),
            ]),
          ]),
          el("td", { class: "num cart__total", text: money(total) }),
          el("td", { class: "cart__actions" }, [
            CONFIG.perms.give_discount
              ? el("button", {
                  type: "button",
                  class: "btn btn--small",
                  text: "%",
                  title: t("discount"),
                  "aria-label": t("discount_for", { name: item.name }),
                  disabled: state.paying,
                  onclick: function () {
                    openDiscount(line);
                  },
                })
              : null,
            el("button", {
              type: "button",
              class: "btn btn--small btn--ghost",
              text: "✕",
              "aria-label": t("remove_line", { name: item.name }),
              disabled: state.paying,
              onclick: function () {
                removeLine(line.sku);
              },
            }),
          ]),
        ])
      );
    });
    $("cart-empty").hidden = state.cart.length > 0;
    renderTotals();
  }

  // --- quote (promotions, coupon, totals) ---------------------------------------------------------

  function readQuote(data) {
    var totals = data.totals || data;
    function pick(obj, names) {
      for (var i = 0; i < names.length; i++) {
        if (obj && obj[names[i]] !== undefined && obj[names[i]] !== null) return toCents(obj[names[i]]);
      }
      return null;
    }
    var quote = {
      total: pick(totals, ["total_gross", "total"]),
      subtotal: pick(totals, ["subtotal_gross", "subtotal"]),
      discount: pick(totals, ["discount_gross", "discount_total"]),
      lines: {},
      promotions: [],
      coupon: data.coupon || null,
      vat: data.vat || data.vat_breakdown || totals.vat || [],
    };
    (data.lines || []).forEach(function (line) {
      var promotion = line.promotion || line.promotion_name || "";
      if (!promotion && Array.isArray(line.promotions)) {
        promotion = line.promotions
          .map(function (p) {
            return p.name || p.code || p;
          })
          .join(", ");
      }
      quote.lines[line.sku] = {
        unit: pick(line, ["unit_gross", "unit_price"]),
        total: pick(line, ["total_gross", "line_total"]),
        promotion: promotion,
      };
    });
    var promotionDiscount = pick(totals, ["promotion_discount"]);
    if (promotionDiscount) quote.promotions.push({ name: totals.promotion || t("promotion"), amount: promotionDiscount });
    var couponDiscount = pick(totals, ["coupon_discount"]);
    if (couponDiscount) quote.promotions.push({ name: t("coupon_named", { code: state.coupon }), amount: couponDiscount });
    return quote;
  }

  var quoteTimer = null;
  function requote() {
    window.clearTimeout(quoteTimer);
    var seq = ++state.quoteSeq; // an answer to an older basket, still in flight, is dropped
    state.quote = null;
    renderCart();
    if (!state.cart.length || !state.online) return;
    quoteTimer = window.setTimeout(function () {
      api("POST", "quote/", quoteBody()).then(
        function (data) {
          if (seq !== state.quoteSeq) return;
          state.quote = readQuote(data || {});
          showCouponState();
          renderCart();
        },
        function (error) {
          if (seq !== state.quoteSeq) return;
          if (error.network) return renderTotals();
          if (state.coupon && /coupon/.test(error.code || "")) {
            showCouponState(errorText(error));
            state.coupon = "";
            $("coupon").value = "";
            requote();
            return;
          }
          toast(errorText(error), "error");
        }
      );
    }, 200);
  }

  function saleLines() {
    return state.cart.map(function (line) {
      var out = { sku: line.sku, quantity: line.quantity };
      if (line.discount) {
        out.discount = fromCents(line.discount);
        out.discount_reason = line.discount_reason;
      }
      return out;
    });
  }

  function quoteBody() {
    return {
      lines: saleLines(),
      coupon: state.coupon || "",
      customer: state.customer ? state.customer.id : null,
    };
  }

  function localTotals() {
    var subtotal = 0;
    var discount = 0;
    state.cart.forEach(function (line) {
      var item = state.catalog.get(line.sku);
      subtotal += (item ? toCents(item.price_gross) : 0) * line.quantity;
      discount += line.discount;
    });
    return { subtotal: subtotal, discount: discount, total: subtotal - discount };
  }

  /* What the customer pays: the server's quote when we have one, else the local sum (offline). */
  function saleTotal() {
    if (state.quote && state.quote.total !== null) return state.quote.total;
    return localTotals().total;
  }

  function renderTotals() {
    var local = localTotals();
    var quote = state.quote;
    var subtotal = quote && quote.subtotal !== null ? quote.subtotal : local.subtotal;
    var total = saleTotal();
    var discount = subtotal - total;
    $("t-subtotal").textContent = state.cart.length ? money(subtotal) : "–";
    $("t-total").textContent = state.cart.length ? money(total) : "–";
    $("t-discount-row").hidden = !(state.cart.length && discount > 0);
    $("t-discount").textContent = "−" + money(discount);
    var promos = $("promos");
    promos.textContent = "";
    if (quote) {
      quote.promotions.forEach(function (promo) {
        promos.appendChild(
          el("li", { class: "promo" }, [
            el("span", { text: promo.name }),
            promo.amount ? el("strong", { text: "−" + money(Math.abs(promo.amount)) }) : null,
          ])
        );
      });
    }
    var inForce = $("promos-in-force");
    inForce.hidden = !(state.promotions.length && !(quote && quote.promotions.length));
    inForce.textContent = t("promotions_in_force", {
      names: state.promotions
        .map(function (promo) {
          return promo.name;
        })
        .join(", "),
    });
    var note = $("t-note");
    if (state.cart.length && !quote) {
      note.hidden = false;
      note.textContent = state.online ? t("pricing") : t("offline_prices");
    } else {
      note.hidden = true;
    }
    $("pay-button").disabled = !state.cart.length || (state.online && !quote);
    document.body.dataset.total = fromCents(total);
    if (state.paying) renderPayment();
  }

  function showCouponState(error) {
    var node = $("coupon-state");
    if (error) {
      node.textContent = error;
      node.className = "coupon-state form-error";
      node.hidden = false;
    } else if (state.coupon) {
      node.textContent = t("coupon_applied", { code: state.coupon });
      node.className = "coupon-state ok";
      node.hidden = false;
    } else {
      node.hidden = true;
    }
  }

  $("coupon-form").addEventListener("submit", function (event) {
    event.preventDefault();
    state.coupon = $("coupon").value.trim().toUpperCase();
    showCouponState();
    requote();
    focusScan();
  });

  // --- customer -----------------------------------------------------------------------------------

  var LOYALTY_CARD = /^LC\d{6,}$/i;
  var SALE_NUMBER = /^[SW]\d{4}-\d{6}$/i;

  function identifyByCard(number) {
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

  function renderCustomer() {
    var customer = state.customer;
    $("customer-none").hidden = !!customer;
    $("customer-some").hidden = !customer;
    if (customer) {
      $("customer-name").textContent = customer.name || customer.email;
      $("customer-detail").textContent = [customer.loyalty_card_number, customer.email].filter(Boolean).join(" · ");
    }
  }

  function openCustomer() {
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
                    state.customer = customer;
                    $("dlg-customer").close();
                    renderCustomer();
                    requote();
                    focusScan();
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

  // --- line discount ------------------------------------------------------------------------------

  var discountLine = null;

  function openDiscount(line) {
    discountLine = line;
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
    renderCart();
    requote();
    focusScan();
  });

  $("discount-remove").addEventListener("click", function () {
    if (discountLine) {
      discountLine.discount = 0;
      discountLine.discount_reason = "";
    }
    $("dlg-discount").close();
    renderCart();
    requote();
  });

  // --- payment ------------------------------------------------------------------------------------

  function paidTotal() {
    return state.tenders.reduce(function (sum, tender) {
      return sum + tender.amount;
    }, 0);
  }

  function startPayment() {
    if (!state.cart.length) return;
    state.paying = true;
    state.tenders = [];
    $("pay").hidden = false;
    $("sale-actions").hidden = true;
    document.body.classList.add("is-paying");
    renderCart();
    renderPayment();
    $("tender-amount").value = fromCents(saleTotal());
    $("tender-amount").focus();
    $("tender-amount").select();
  }

  function stopPayment() {
    state.paying = false;
    state.tenders = [];
    $("pay").hidden = true;
    $("sale-actions").hidden = false;
    document.body.classList.remove("is-paying");
    showError("pay-error", "");
    renderCart();
    focusScan();
  }

  function renderPayment() {
    if (!state.paying) return;
    var due = saleTotal();
    var paid = paidTotal();
    var remaining = Math.max(due - paid, 0);
    var change = Math.max(paid - due, 0);
    $("p-due").textContent = money(due);
    $("p-paid").textContent = money(paid);
    $("p-remaining").textContent = money(remaining);
    $("p-change-row").hidden = !change;
    $("p-change").textContent = money(change);
    document.body.dataset.change = fromCents(change);
    var list = $("tenders");
    list.textContent = "";
    state.tenders.forEach(function (tender, index) {
      list.appendChild(
        el("li", { class: "tender", "data-kind": tender.kind }, [
          el("span", { class: "tender__kind", text: t("tender_" + tender.kind) }),
          el("span", { class: "muted", text: tender.reference }),
          el("strong", { text: money(tender.amount) }),
          el("button", {
            type: "button",
            class: "btn btn--small btn--ghost",
            text: "✕",
            "aria-label": t("remove_tender"),
            onclick: function () {
              state.tenders.splice(index, 1);
              renderPayment();
            },
          }),
        ])
      );
    });
    var quick = $("quick-cash");
    quick.textContent = "";
    if (remaining > 0) {
      var amounts = [remaining];
      [500, 1000, 2000, 5000, 10000].forEach(function (note) {
        var rounded = Math.ceil(remaining / note) * note;
        if (amounts.indexOf(rounded) === -1 && amounts.length < 5) amounts.push(rounded);
      });
      amounts.forEach(function (cents, i) {
        quick.appendChild(
          el("button", {
            type: "button",
            class: "btn btn--small",
            text: i === 0 ? t("exact") + " " + money(cents) : money(cents),
            onclick: function () {
              $("tender-amount").value = fromCents(cents);
            },
          })
        );
      });
    }
    document.querySelectorAll("[data-tender]").forEach(function (button) {
      var allowed = state.online || OFFLINE_TENDERS[button.dataset.tender];
      button.disabled = !allowed || remaining <= 0;
      button.title = allowed ? "" : t("not_offline");
    });
    var covered = due >= 0 && paid >= due && state.tenders.length > 0;
    $("pay").classList.toggle("is-covered", covered);
    $("complete").disabled = !covered;
    $("complete").dataset.covered = String(covered);
  }

  function addTender(kind) {
    var due = saleTotal();
    var remaining = due - paidTotal();
    var cents = toCents($("tender-amount").value);
    var reference = $("tender-ref").value.trim();
    if (isNaN(cents) || cents <= 0) {
      showError("pay-error", t("bad_amount"));
      return;
    }
    if (kind !== "cash" && cents > remaining) {
      showError("pay-error", t("only_cash_change"));
      return;
    }
    if ((kind === "card" || kind === "store_credit") && !reference) {
      showError("pay-error", t(kind === "card" ? "card_ref_required" : "credit_code_required"));
      $("tender-ref").focus();
      return;
    }
    if (!state.online && !OFFLINE_TENDERS[kind]) {
      showError("pay-error", t("not_offline"));
      return;
    }
    showError("pay-error", "");
    state.tenders.push({ kind: kind, amount: cents, reference: kind === "cash" ? "" : reference });
    $("tender-ref").value = "";
    renderPayment();
    var left = Math.max(due - paidTotal(), 0);
    $("tender-amount").value = left ? fromCents(left) : "";
    if (!left) $("complete").focus();
  }

  document.querySelectorAll("[data-tender]").forEach(function (button) {
    button.addEventListener("click", function () {
      addTender(button.dataset.tender);
    });
  });

  function completeSale() {
    var due = saleTotal();
    if (paidTotal() < due || !state.tenders.length) return;
    $("complete").disabled = true;
    var offline = !state.online;
    var change = paidTotal() - due;
    var sale = {
      uuid: uuid(),
      session: state.session.id,
      lines: saleLines(),
      tenders: state.tenders.map(function (tender) {
        return { kind: tender.kind, amount: fromCents(tender.amount), reference: tender.reference };
      }),
      customer: state.customer ? state.customer.id : null,
      coupon: state.coupon || "",
      offline: offline,
      sold_at: new Date().toISOString(),
    };
    var record = { uuid: sale.uuid, body: sale, queued_at: Date.now(), total: fromCents(due) };
    if (!offline) inFlight.add(sale.uuid); // the queue's sync leaves it alone while this POST runs
    // Written down first: whatever happens next (network cut, tab closed), the sale is not lost.
    PosStore.enqueue(record)
      .then(function () {
        if (offline) return finishOffline(record, change);
        return api("POST", "sales/", sale, { "Idempotency-Key": sale.uuid }).then(
          function (result) {
            inFlight.delete(sale.uuid);
            return PosStore.dequeue(sale.uuid).then(function () {
              finishOnline(result, change);
            });
          },
          function (error) {
            inFlight.delete(sale.uuid);
            if (error.network || error.status >= 500) {
              // The server may or may not have it: the queue replays it by uuid, never twice.
              record.body.offline = true;
              return PosStore.enqueue(record).then(function () {
                finishOffline(record, change);
              });
            }
            return PosStore.dequeue(sale.uuid).then(function () {
              showError("pay-error", errorText(error));
              $("complete").disabled = false;
            });
          }
        );
      })
      .catch(function (error) {
        showError("pay-error", t("storage_error") + " " + (error && error.message ? error.message : ""));
        $("complete").disabled = false;
      })
      .then(loadQueue);
  }

  $("complete").addEventListener("click", completeSale);

  function finishOnline(result, localChange) {
    var change = result && result.change_due !== undefined ? toCents(result.change_due) : localChange;
    showDone({
      title: t("sale_done", { number: result.number }),
      number: result.number,
      change: change,
      receipt: result.receipt_url || CONFIG.urls.receipt + encodeURIComponent(result.number) + "/",
      note: (result.discrepancies || []).length ? t("discrepancy_note") : "",
    });
  }

  function finishOffline(record, change) {
    // Goods leave the store now: take them off our local figures too.
    record.body.lines.forEach(function (line) {
      var item = state.catalog.get(line.sku);
      if (item && item.available_here !== null) {
        item.available_here = Math.max(item.available_here - line.quantity, 0);
        PosStore.putCatalogItem(Object.assign({}, item, { _search: undefined }));
      }
    });
    showDone({ title: t("sale_saved_offline"), number: null, change: change, receipt: null, note: t("offline_note") });
  }

  function showDone(info) {
    state.lastSale = info;
    $("pay").hidden = true;
    $("sale-actions").hidden = true;
    $("done").hidden = false;
    $("done").dataset.number = info.number || "";
    $("done-title").textContent = info.title;
    $("done-change").textContent = money(info.change);
    $("done-change-row").hidden = false;
    $("done-note").textContent = info.note || "";
    var receipt = $("done-receipt");
    receipt.hidden = !info.receipt;
    if (info.receipt) receipt.href = info.receipt;
    state.paying = false;
    state.tenders = [];
    state.cart = [];
    state.customer = null;
    state.coupon = "";
    state.quote = null;
    $("coupon").value = "";
    showCouponState();
    renderCustomer();
    renderCart();
    document.body.classList.remove("is-paying");
    $("scan").focus();
  }

  function hideDone() {
    if ($("done").hidden) return;
    $("done").hidden = true;
    $("sale-actions").hidden = false;
  }

  function resetSale() {
    state.cart = [];
    state.customer = null;
    state.coupon = "";
    state.quote = null;
    state.paying = false;
    state.tenders = [];
    $("coupon").value = "";
    $("pay").hidden = true;
    $("done").hidden = true;
    $("sale-actions").hidden = false;
    document.body.classList.remove("is-paying");
    showCouponState();
    renderCustomer();
    renderCart();
  }

  // --- cash in / out ------------------------------------------------------------------------------

  $("cash-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var cents = toCents($("cash-amount").value);
    var reason = $("cash-reason").value.trim();
    var kind = new FormData($("cash-form")).get("kind");
    if (isNaN(cents) || cents <= 0) return showError("cash-error", t("bad_amount"));
    if (!reason) return showError("cash-error", t("reason_required"));
    api(
      "POST",
      "sessions/" + state.session.id + "/cash/",
      { kind: kind, amount: fromCents(cents), reason: reason },
      { "Idempotency-Key": uuid() }
    ).then(
      function () {
        $("dlg-cash").close();
        toast(t(kind === "cash_in" ? "cash_in_done" : "cash_out_done", { amount: money(cents) }), "ok");
      },
      function (error) {
        showError("cash-error", errorText(error));
      }
    );
  });

  // --- returns ------------------------------------------------------------------------------------

  var returnSale = null;

  function saleLinesOf(data) {
    return (data.lines || []).map(function (line) {
      var sold = Number(line.sold !== undefined ? line.sold : line.quantity);
      var returned = Number(line.returned_quantity || line.returned || 0);
      var returnable =
        line.returnable_quantity !== undefined
          ? Number(line.returnable_quantity)
          : line.returnable !== undefined
          ? Number(line.returnable)
          : sold - returned;
      return { sku: line.sku, name: line.name || line.product_name || line.sku, sold: sold, returnable: returnable };
    });
  }

  $("return-find").addEventListener("submit", function (event) {
    event.preventDefault();
    var number = $("return-number").value.trim().toUpperCase();
    $("return-form").hidden = true;
    $("return-done").hidden = true;
    showError("return-error", "");
    if (!number) return;
    api("GET", "returns/lookup/?sale=" + encodeURIComponent(number)).then(
      function (data) {
        returnSale = data;
        $("return-title").textContent = t("sale_of", { number: data.number || number });
        var body = $("return-lines");
        body.textContent = "";
        saleLinesOf(data).forEach(function (line) {
          var conditionName = "condition-" + line.sku;
          body.appendChild(
            el("tr", { "data-sku": line.sku }, [
              el("td", null, [el("strong", { text: line.name }), el("br"), el("span", { class: "muted", text: line.sku })]),
              el("td", { class: "num", text: String(line.sold) }),
              el("td", { class: "num", text: String(line.returnable) }),
              el("td", { class: "return-qty" }, [
                el("button", {
                  type: "button",
                  class: "qty__btn",
                  text: "−",
                  "aria-label": t("less", { name: line.name }),
                  disabled: line.returnable <= 0,
                  onclick: function (event) {
                    var input = event.target.parentNode.querySelector("input");
                    input.value = String(Math.max(Number(input.value || 0) - 1, 0));
                  },
                }),
                el("input", {
                  type: "number",
                  class: "input input--qty",
                  min: "0",
                  max: String(line.returnable),
                  value: "0",
                  "data-return-qty": line.sku,
                  "aria-label": t("return_qty_for", { name: line.name }),
                  disabled: line.returnable <= 0,
                }),
                el("button", {
                  type: "button",
                  class: "qty__btn",
                  text: "+",
                  "aria-label": t("more", { name: line.name }),
                  disabled: line.returnable <= 0,
                  onclick: function (event) {
                    var input = event.target.parentNode.querySelector("input");
                    input.value = String(Math.min(Number(input.value || 0) + 1, line.returnable));
                  },
                }),
              ]),
              el("td", null, [
                el("select", { class: "input", name: conditionName, "data-condition": line.sku, "aria-label": t("condition") }, [
                  el("option", { value: "resellable", text: t("resellable") }),
                  el("option", { value: "damaged", text: t("damaged") }),
                ]),
              ]),
            ])
          );
        });
        $("return-form").hidden = false;
      },
      function (error) {
        showError("return-error", error.status === 404 ? t("sale_not_found", { number: number }) : errorText(error));
      }
    );
  });

  $("return-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var lines = [];
    var bad = false;
    document.querySelectorAll("[data-return-qty]").forEach(function (input) {
      var qty = Number(input.value || 0);
      if (!Number.isInteger(qty) || qty < 0 || qty > Number(input.max)) bad = true;
      if (qty > 0) {
        var sku = input.dataset.returnQty;
        var condition = document.querySelector('[data-condition="' + CSS.escape(sku) + '"]').value;
        lines.push({ sku: sku, quantity: qty, condition: condition });
      }
    });
    if (bad) return showError("return-error", t("bad_return_qty"));
    if (!lines.length) return showError("return-error", t("nothing_to_return"));
    var refund = new FormData($("return-form")).get("refund");
    var number = returnSale.number || $("return-number").value.trim();
    api(
      "POST",
      "returns/",
      {
        sale: number,
        lines: lines,
        refund: refund,
        refund_reference: $("refund-reference").value.trim(),
        session: state.session.id,
      },
      { "Idempotency-Key": uuid() }
    ).then(
      function (data) {
        $("return-form").hidden = true;
        var done = $("return-done");
        done.hidden = false;
        done.textContent = "";
        var amount = data && data.total;
        done.appendChild(el("p", { class: "done__title", text: t("return_done", { number: data.number }) }));
        if (amount !== undefined) done.appendChild(el("p", { class: "done__change", text: t("refund_amount", { amount: money(toCents(amount)) }) }));
        (data.refunds || []).forEach(function (refund) {
          done.appendChild(
            el("p", { text: t("tender_" + refund.tender) + " " + money(toCents(refund.amount)) + (refund.reference ? " · " + refund.reference : "") })
          );
        });
        if (data && data.store_credit && data.store_credit.code) {
          done.appendChild(el("p", { class: "done__change", text: t("store_credit_code", { code: data.store_credit.code }) }));
        }
        (data.notes || []).forEach(function (note) {
          done.appendChild(el("p", { class: "muted", text: note }));
        });
        $("return-number").value = "";
      },
      function (error) {
        showError("return-error", errorText(error));
      }
    );
  });

  // --- click & collect pickups ---------------------------------------------------------------------

  var handoverOrder = null;

  function loadPickups() {
    showError("pickup-error", "");
    api("GET", "pickups/").then(
      function (data) {
        var list = $("pickup-list");
        list.textContent = "";
        var orders = listOf(data);
        $("pickup-empty").hidden = orders.length > 0;
        orders.forEach(function (order) {
          var who = order.customer || order.email || "";
          var count = (order.lines || []).reduce(function (sum, line) {
            return sum + line.quantity;
          }, 0);
          list.appendChild(
            el("li", { class: "pickup", "data-number": order.number }, [
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
                  text: [
                    tn("n_items", count),
                    order.total !== undefined ? money(toCents(order.total)) : "",
                  ]
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
            ])
          );
        });
      },
      function (error) {
        showError("pickup-error", errorText(error));
      }
    );
  }

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

  // --- closing: count by denomination, Z report -----------------------------------------------------

  function renderCountGrid() {
    var grid = $("count-grid");
    if (grid.childElementCount) return updateCountTotal();
    CONFIG.denominations.forEach(function (denomination) {
      var cents = toCents(denomination);
      var label = cents >= 100 ? money(cents).replace(/[.,]00(?=\D|$)/, "") : money(cents);
      var input = el("input", {
        type: "number",
        min: "0",
        step: "1",
        inputmode: "numeric",
        class: "input input--qty",
        value: "",
        placeholder: "0",
        "data-denomination": denomination,
        "aria-label": t("count_of", { value: label }),
        oninput: updateCountTotal,
      });
      grid.appendChild(
        el("div", { class: "count" + (cents >= 500 ? " count--note" : " count--coin") }, [
          el("span", { class: "count__label", text: label }),
          el("button", {
            type: "button",
            class: "qty__btn",
            text: "−",
            "aria-label": t("less", { name: label }),
            onclick: function () {
              input.value = String(Math.max(Number(input.value || 0) - 1, 0));
              updateCountTotal();
            },
          }),
          input,
          el("button", {
            type: "button",
            class: "qty__btn",
            text: "+",
            "aria-label": t("more", { name: label }),
            onclick: function () {
              input.value = String(Number(input.value || 0) + 1);
              updateCountTotal();
            },
          }),
          el("span", { class: "count__sum", "data-sum-for": denomination, text: "" }),
        ])
      );
    });
    updateCountTotal();
  }

  function counts() {
    var out = {};
    document.querySelectorAll("[data-denomination]").forEach(function (input) {
      var n = Number(input.value || 0);
      if (n) out[input.dataset.denomination] = n;
    });
    return out;
  }

  function updateCountTotal() {
    var total = 0;
    document.querySelectorAll("[data-denomination]").forEach(function (input) {
      var n = Number(input.value || 0);
      var sum = Number.isInteger(n) && n > 0 ? n * toCents(input.dataset.denomination) : 0;
      total += sum;
      var cell = document.querySelector('[data-sum-for="' + input.dataset.denomination + '"]');
      if (cell) cell.textContent = sum ? money(sum) : "";
    });
    $("count-total").textContent = money(total);
    return total;
  }

  $("close-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var bad = false;
    document.querySelectorAll("[data-denomination]").forEach(function (input) {
      var n = Number(input.value || 0);
      if (!Number.isInteger(n) || n < 0) bad = true;
    });
    var card = $("card-total").value.trim();
    var cardCents = card ? toCents(card) : null;
    if (bad || (card && (isNaN(cardCents) || cardCents < 0))) return showError("close-error", t("bad_count"));
    syncQueue().then(function () {
      // Sales not sent yet must reach this session first; a sale the server refused stays on the
      // tablet (shown in the queue) and goes to the register's next session once it is fixed.
      var unsent = state.queue.filter(function (sale) {
        return !sale.error;
      }).length;
      if (unsent) return showError("close-error", tn("close_queue", unsent));
      var failed = state.queue.length;
      var question = t("close_confirm", { amount: money(updateCountTotal()) });
      if (failed) question += "\n" + tn("close_failed_stay", failed);
      if (!window.confirm(question)) return;
      closeSession(cardCents);
    });
  });

  function closeSession(cardCents) {
    var body = { counts: counts() };
    if (cardCents !== null) body.card_total = fromCents(cardCents);
    var sessionId = state.session.id;
    api("POST", "sessions/" + sessionId + "/close/", body, { "Idempotency-Key": uuid() }).then(
      function (report) {
        renderZ(report || {}, sessionId);
        setSession(null);
        resetCountGrid();
        go("z");
      },
      function (error) {
        showError("close-error", errorText(error));
      }
    );
  }

  function resetCountGrid() {
    document.querySelectorAll("[data-denomination]").forEach(function (input) {
      input.value = "";
    });
    $("card-total").value = "";
    showError("close-error", "");
  }

  function renderZ(report, sessionId) {
    var body = $("z-body");
    body.textContent = "";
    var tenders = report.tenders || report.per_tender || {};
    var rows = Array.isArray(tenders)
      ? tenders
      : Object.keys(tenders).map(function (kind) {
          return Object.assign({ tender: kind }, tenders[kind]);
        });
    if (!rows.length && report.expected) {
      rows = Object.keys(report.expected).map(function (kind) {
        return {
          tender: kind,
          expected: report.expected[kind],
          counted: (report.counted || {})[kind],
          difference: (report.differences || {})[kind],
        };
      });
    }
    var table = el("table", { class: "list-table z-table" }, [
      el("thead", null, [
        el("tr", null, [
          el("th", { scope: "col", text: t("tender") }),
          el("th", { scope: "col", class: "num", text: t("expected") }),
          el("th", { scope: "col", class: "num", text: t("counted") }),
          el("th", { scope: "col", class: "num", text: t("difference") }),
        ]),
      ]),
      el(
        "tbody",
        null,
        rows.map(function (row) {
          var kind = row.tender || row.kind;
          var diff = row.difference !== undefined && row.difference !== null ? toCents(row.difference) : null;
          return el("tr", { "data-tender": kind }, [
            el("th", { scope: "row", text: t("tender_" + kind) }),
            el("td", { class: "num", text: row.expected !== undefined ? money(toCents(row.expected)) : "–" }),
            el("td", { class: "num", text: row.counted !== undefined && row.counted !== null ? money(toCents(row.counted)) : "–" }),
            el("td", { class: "num" + (diff ? " is-diff" : ""), text: diff !== null ? money(diff) : "–" }),
          ]);
        })
      ),
    ]);
    body.appendChild(table);
    var facts = [];
    var sales = report.sales_count !== undefined ? report.sales_count : report.sales && report.sales.count;
    var salesTotal = report.sales_total !== undefined ? report.sales_total : report.sales && report.sales.total;
    if (sales !== undefined) facts.push([t("sales_count"), String(sales)]);
    if (salesTotal !== undefined) facts.push([t("sales_total"), money(toCents(salesTotal))]);
    if (report.difference !== undefined && report.difference !== null) facts.push([t("difference_total"), money(toCents(report.difference))]);
    var vat = report.vat_breakdown || [];
    if (vat.length) {
      body.appendChild(
        el("table", { class: "list-table z-vat" }, [
          el("caption", { class: "visually-hidden", text: t("vat_breakdown") }),
          el("thead", null, [
            el("tr", null, [
              el("th", { scope: "col", text: t("vat_rate") }),
              el("th", { scope: "col", class: "num", text: t("net") }),
              el("th", { scope: "col", class: "num", text: t("vat") }),
              el("th", { scope: "col", class: "num", text: t("gross") }),
            ]),
          ]),
          el(
            "tbody",
            null,
            vat.map(function (line) {
              return el("tr", null, [
                el("th", { scope: "row", text: (Number(line.rate) * 100).toLocaleString(CONFIG.language) + " %" }),
                el("td", { class: "num", text: money(toCents(line.net)) }),
                el("td", { class: "num", text: money(toCents(line.vat)) }),
                el("td", { class: "num", text: money(toCents(line.gross)) }),
              ]);
            })
          ),
        ])
      );
    }
    body.appendChild(
      el(
        "dl",
        { class: "z-facts", id: "z-facts" },
        facts.map(function (fact) {
          return el("div", null, [el("dt", { text: fact[0] }), el("dd", { text: fact[1] })]);
        })
      )
    );
    $("z-print").href = report.z_report_url || report.url || CONFIG.urls.z_report + sessionId + "/z/";
  }

  // --- the queue of sales waiting on this tablet ---------------------------------------------------

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

  // --- wiring ---------------------------------------------------------------------------------------

  document.addEventListener("click", function (event) {
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
        if (!state.online) return toast(t("needs_network"), "error");
        $("cash-form").reset();
        showError("cash-error", "");
        $("dlg-cash").showModal();
        $("cash-amount").focus();
        break;
      case "customer":
        openCustomer();
        break;
      case "customer-clear":
        state.customer = null;
        renderCustomer();
        requote();
        break;
      case "clear-cart":
        if (state.cart.length && !window.confirm(t("cancel_confirm"))) return;
        resetSale();
        focusScan();
        break;
      case "pay-cancel":
        stopPayment();
        break;
      case "new-sale":
        resetSale();
        focusScan();
        break;
      case "pickups-refresh":
        loadPickups();
        break;
      case "z-done":
        showPicker();
        break;
    }
  });
  $("pay-button").addEventListener("click", startPayment);

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
  window.setInterval(function () {
    if (state.online && state.session) refreshCatalog();
  }, CATALOG_REFRESH_MS);

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(CONFIG.urls.sw, { scope: "/pos/" }).catch(function () {
      /* the register still works online without it */
    });
  }

  // --- start ----------------------------------------------------------------------------------------

  function start() {
    document.body.classList.toggle("is-offline", !state.online);
    renderNetStatus();
    Promise.all([loadCatalogFromDb(), loadQueue(), PosStore.getMeta("session")])
      .then(function (out) {
        var session = out[2];
        if (!state.online) {
          if (session) {
            setSession(session);
            go("sale");
          } else {
            go("picker");
            $("register-list").textContent = "";
            $("register-list").appendChild(el("li", { class: "form-error", text: t("offline_no_session") }));
          }
          return;
        }
        syncQueue();
        if (!session) return showPicker();
        return api("GET", "sessions/" + session.id + "/").then(
          function (data) {
            if (data && data.status && data.status !== "open") {
              setSession(null);
              return showPicker();
            }
            setSession(session);
            startSelling();
          },
          function (error) {
            if (error.network) {
              setSession(session);
              go("sale");
              return;
            }
            setSession(null);
            showPicker();
          }
        );
      })
      .catch(function (error) {
        toast(t("storage_error") + " " + (error && error.message ? error.message : ""), "error");
        showPicker();
      });
  }

  window.PosApp = { state: state, syncQueue: syncQueue, refreshCatalog: refreshCatalog };
  start();
})();
