/*
 * The sale screen's tiles (#favourites): goods without a barcode (bread, loose fruit, a gift wrap)
 * the store marked as favourites in the admin. GET favourites/ gives the SKUs and labels, kept in
 * IndexedDB (meta "favourites") so the tiles are there offline too; the item itself comes from the
 * tablet's catalog. Tapping a tile adds the item as a scan would.
 */
import { api } from "./api.js";
import { addToCart } from "./cart.js";
import { t } from "./i18n.js";
import { focusScan } from "./screens.js";
import { state } from "./state.js";
import { PosStore } from "./store.js";
import { $, el, money, toast, toCents } from "./ui.js";

export function render() {
  var grid = $("favourites");
  grid.textContent = "";
  var shown = 0;
  state.favourites.forEach(function (fav) {
    var item = state.catalog.get(fav.sku);
    if (!item) return; // not (yet) in this tablet's catalog: no tile that would do nothing
    shown += 1;
    grid.appendChild(
      el(
        "button",
        {
          type: "button",
          class: "fav",
          "data-fav": fav.sku,
          title: fav.label + " · " + money(toCents(item.price_gross)),
          onclick: function () {
            tap(fav.sku);
          },
        },
        [el("span", { class: "fav__label", text: fav.label }), el("span", { class: "fav__price", text: money(toCents(item.price_gross)) })]
      )
    );
  });
  grid.hidden = !shown;
}

function tap(sku) {
  var item = state.catalog.get(sku);
  if (!item) return toast(t("favourite_missing"), "error");
  if (state.paying) return toast(t("finish_payment"), "error");
  addToCart(item);
  focusScan();
}

function use(list) {
  state.favourites = Array.isArray(list) ? list : [];
  render();
}

/* From the server when it answers (and kept for offline), else what the tablet has. */
export function load() {
  if (!state.online) return Promise.resolve();
  return api("GET", "favourites/").then(
    function (list) {
      use(list);
      return PosStore.setMeta("favourites", state.favourites);
    },
    function () {
      /* offline or refused: the tiles the tablet kept stay */
    }
  );
}

export function init() {
  PosStore.getMeta("favourites")
    .then(function (list) {
      if (list) use(list);
    })
    .catch(function () {})
    .then(load);
}
