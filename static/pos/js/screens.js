/*
 * The register's screens (<section data-screen-name>): go(name) shows one, marks the menu and runs
 * what the screen asks for when it is entered (onEnter). The sale screen keeps the barcode field
 * focused (focusScan).
 */
import { state } from "./state.js";
import { $ } from "./ui.js";

var enterHooks = {};

/* fn() runs each time go(name) shows that screen. */
export function onEnter(name, fn) {
  enterHooks[name] = fn;
}

export function go(screen) {
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
  if (enterHooks[screen]) enterHooks[screen]();
}

/* Give the focus back to the barcode field, unless a payment or a dialog is using the keyboard. */
export function focusScan() {
  if (state.screen !== "sale" || state.paying) return;
  if (document.querySelector("dialog[open]")) return;
  var scan = $("scan");
  if (document.activeElement !== scan) scan.focus({ preventScroll: true });
}

onEnter("sale", focusScan);
