/*
 * The store's catalog for selling offline: downloaded page by page from GET catalog/, kept in
 * IndexedDB (PosStore) with the promotions in force and the download's cursor, indexed in memory by
 * SKU and EAN-13 for the scanner, and searched by words (name, SKU, options, EAN). Later refreshes
 * (start, reconnect, every CATALOG_REFRESH_MS) ask only what changed since the cursor
 * (GET catalog/?since=).
 */
import { api, errorText } from "./api.js";
import { CATALOG_PAGE_SIZE as PAGE_SIZE, CATALOG_REFRESH_MS } from "./config.js";
import { t, tn } from "./i18n.js";
import { state } from "./state.js";
import { PosStore } from "./store.js";
import { $, toast } from "./ui.js";

var changed = function () {};

/* fn() runs after a download replaced the catalog (the cart shows the new names and prices). */
export function onCatalogChange(fn) {
  changed = fn;
}

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

/* "M · White" from whatever shape the options come in. */
export function optionsText(item) {
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

/* Lowercase without accents, as the server folds ("Tête" -> "tete"): offline, "tete" finds it too. */
export function fold(text) {
  return String(text || "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

function addToIndex(item) {
  state.catalog.set(item.sku, item);
  if (item.ean13) state.byEan.set(item.ean13, item);
  item._search = fold(item.name + " " + item.sku + " " + optionsText(item) + " " + item.ean13);
}

function indexCatalog(items) {
  state.catalog = new Map();
  state.byEan = new Map();
  items.forEach(addToIndex);
}

export function loadCatalogFromDb() {
  return Promise.all([PosStore.allCatalog(), PosStore.getMeta("promotions")]).then(function (out) {
    indexCatalog(out[0]);
    state.promotions = out[1] || [];
    return out[0].length;
  });
}

function stored(item) {
  var copy = Object.assign({}, item);
  delete copy._search;
  return copy;
}

/*
 * The loading state under the scan field: "Catalog loading 40%" (items received of the first page's
 * total), or an indeterminate bar with the count when the total is not known. While it shows, a scan
 * the tablet's catalog misses is asked of the server (scanner.js: state.catalogLoading).
 */
function showLoading(loaded, total, text) {
  var node = $("catalog-status");
  if (!node) return;
  var bar = node.querySelector("progress");
  if (text) {
    node.querySelector(".catalog-status__text").textContent = text;
    bar.removeAttribute("value");
  } else if (total) {
    var percent = Math.min(100, Math.floor((loaded * 100) / total));
    node.querySelector(".catalog-status__text").textContent = t("catalog_loading", { n: percent });
    bar.value = percent;
  } else {
    node.querySelector(".catalog-status__text").textContent = tn("catalog_loading_count", loaded);
    bar.removeAttribute("value");
  }
  node.dataset.loaded = String(loaded);
  node.hidden = false;
}

function hideLoading() {
  var node = $("catalog-status");
  if (node) node.hidden = true;
}

/*
 * GET catalog/ pages by variant id: ?after=<the previous page's next_after> until it is null. With
 * since (a cursor kept from an earlier download), only what changed since: the first page's
 * "removed" SKUs and the items to upsert. Resolves to {items, removed, promotions, cursor}: the
 * first page's cursor, read before any change the later pages may show.
 */
function fetchPages(since) {
  var out = { items: [], removed: [], promotions: null, cursor: null };
  var total = null;
  function page(after) {
    var path = "catalog/?limit=" + PAGE_SIZE + "&after=" + after;
    if (since) path += "&since=" + encodeURIComponent(since);
    return api("GET", path).then(function (data) {
      var rows = Array.isArray(data) ? data : data.results || [];
      rows.forEach(function (row) {
        out.items.push(normaliseItem(row));
      });
      if (data && !Array.isArray(data)) {
        if (out.cursor === null && data.cursor) out.cursor = data.cursor;
        if (total === null && typeof data.total === "number") total = data.total;
        if (Array.isArray(data.removed)) out.removed = out.removed.concat(data.removed);
        if (out.promotions === null && Array.isArray(data.promotions)) out.promotions = data.promotions;
        if (since) showLoading(out.items.length, null, t("catalog_updating"));
        else showLoading(out.items.length, total);
        if (data.next_after !== null && data.next_after !== undefined && rows.length) return page(data.next_after);
      }
      return null;
    });
  }
  return page(0).then(function () {
    out.promotions = out.promotions || [];
    return out;
  });
}

/* The whole catalog replaces the tablet's, with its cursor, in one IndexedDB transaction. */
function fetchCatalog() {
  showLoading(0, null);
  return fetchPages(null).then(function (got) {
    indexCatalog(got.items);
    state.promotions = got.promotions;
    return PosStore.replaceCatalog(got.items.map(stored), {
      promotions: got.promotions,
      catalog_at: Date.now(),
      catalog_cursor: got.cursor,
    }).then(function () {
      changed();
      return got.items.length;
    });
  });
}

/* Only what changed since the stored cursor: removals, then upserts, in IndexedDB and in memory. */
function fetchDelta(cursor) {
  showLoading(0, null, t("catalog_updating"));
  return fetchPages(cursor).then(function (got) {
    got.removed.forEach(function (sku) {
      var old = state.catalog.get(sku);
      state.catalog.delete(sku);
      if (old && old.ean13 && state.byEan.get(old.ean13) === old) state.byEan.delete(old.ean13);
    });
    got.items.forEach(function (item) {
      var old = state.catalog.get(item.sku);
      if (old && old.ean13 && old.ean13 !== item.ean13 && state.byEan.get(old.ean13) === old) {
        state.byEan.delete(old.ean13);
      }
      addToIndex(item);
    });
    state.promotions = got.promotions;
    return PosStore.applyCatalogDelta(got.removed, got.items.map(stored), {
      promotions: got.promotions,
      catalog_at: Date.now(),
      catalog_cursor: got.cursor,
    }).then(function () {
      if (got.items.length || got.removed.length) changed();
      return got.items.length;
    });
  });
}

var loading = null;

/*
 * Bring the tablet's catalog up to date: by delta when a cursor is stored with a catalog, else (or
 * when the server refuses the cursor: 400, too old) the whole of it. One at a time: a call while one
 * runs gets the same promise.
 */
export function refreshCatalog() {
  if (!state.online) return Promise.resolve();
  if (loading) return loading;
  state.catalogLoading = true;
  loading = PosStore.getMeta("catalog_cursor")
    .then(function (cursor) {
      if (!cursor || !state.catalog.size) return fetchCatalog();
      return fetchDelta(cursor).catch(function (error) {
        if (error && error.status === 400) return fetchCatalog();
        throw error;
      });
    })
    .catch(function (error) {
      if (!error.network) toast(t("catalog_failed") + " " + errorText(error), "error");
    })
    .then(function () {
      loading = null;
      state.catalogLoading = false;
      hideLoading();
    });
  return loading;
}

/* The item of a scanned EAN-13, or of a typed SKU. */
export function findByCode(code) {
  var text = code.trim();
  if (!text) return null;
  return state.byEan.get(text) || state.catalog.get(text) || state.catalog.get(text.toUpperCase()) || null;
}

/*
 * A code the tablet's catalog does not know (a product added since the last download): asked of the
 * server (GET catalog/?code=) when online, and kept in the catalog (memory and IndexedDB) if found.
 * Resolves to the item, or null: offline, unknown there too, or the network failed.
 */
export function lookupCode(code) {
  if (!state.online) return Promise.resolve(null);
  return api("GET", "catalog/?code=" + encodeURIComponent(code.trim()))
    .then(function (data) {
      var rows = (data && data.results) || [];
      if (rows.length !== 1) return null;
      var item = normaliseItem(rows[0]);
      addToIndex(item);
      return PosStore.putCatalogItem(stored(item)).then(function () {
        return item;
      });
    })
    .catch(function () {
      return null;
    });
}

/* Offline: up to 24 items whose name, SKU, options or EAN contain every word of the text. */
export function search(text) {
  var words = fold(text).split(/\s+/).filter(Boolean);
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

/*
 * Online: the shop's search engine (GET search/?q=: typos forgiven, names in every language,
 * categories), best first. Resolves to the items (kept in the catalog like a looked-up code), or
 * null when offline or the network failed: then the caller searches the tablet's catalog.
 */
export function searchServer(text) {
  if (!state.online) return Promise.resolve(null);
  return api("GET", "search/?q=" + encodeURIComponent(text.trim().slice(0, 100)))
    .then(function (data) {
      return ((data && data.results) || []).map(function (row) {
        var item = normaliseItem(row);
        var known = state.catalog.get(item.sku);
        if (known) return known;
        addToIndex(item);
        return item;
      });
    })
    .catch(function () {
      return null;
    });
}

/* While a session is open and the network is up, the catalog is downloaded again now and then. */
export function init() {
  window.setInterval(function () {
    if (state.online && state.session) refreshCatalog();
  }, CATALOG_REFRESH_MS);
}
