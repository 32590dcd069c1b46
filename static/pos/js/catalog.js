/*
 * The store's catalog for selling offline: downloaded page by page from GET catalog/, kept in
 * IndexedDB (PosStore) with the promotions in force, indexed in memory by SKU and EAN-13 for the
 * scanner, and searched by words (name, SKU, options, EAN).
 */
import { api, errorText } from "./api.js";
import { CATALOG_REFRESH_MS } from "./config.js";
import { t } from "./i18n.js";
import { state } from "./state.js";
import { PosStore } from "./store.js";
import { toast } from "./ui.js";

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
      changed();
      return items.length;
    });
  });
}

export function refreshCatalog() {
  if (!state.online) return Promise.resolve();
  return fetchCatalog().catch(function (error) {
    if (!error.network) toast(t("catalog_failed") + " " + errorText(error), "error");
  });
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
      var copy = Object.assign({}, item);
      delete copy._search;
      return PosStore.putCatalogItem(copy).then(function () {
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
