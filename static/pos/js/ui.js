/*
 * The small UI kit: element lookup and creation, inline errors, the toast, and money (integer
 * cents in the app, "12.34" strings on the wire, formatted in the page language on screen).
 */
import { CONFIG } from "./config.js";

export function $(id) {
  return document.getElementById(id);
}

/* el("li", {class: "x", text: "…", onclick: fn, "data-sku": sku}, [children]) */
export function el(tag, attrs, children) {
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

/* Restart a CSS flash animation on a node. */
export function flash(node) {
  node.classList.remove("is-flash");
  void node.offsetWidth;
  node.classList.add("is-flash");
}

export function showError(id, message) {
  var node = $(id);
  if (!node) return;
  node.textContent = message || "";
  node.hidden = !message;
}

var toastTimer = null;

export function toast(message, kind) {
  var node = $("toast");
  node.textContent = message;
  node.dataset.kind = kind || "info";
  node.hidden = false;
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(function () {
    node.hidden = true;
  }, kind === "error" ? 6000 : 2200);
}

/* Hide the toast at once: the cashier's next scan worked, an old error no longer applies. */
export function hideToast() {
  window.clearTimeout(toastTimer);
  $("toast").hidden = true;
}

// --- money ----------------------------------------------------------------------------------------

var moneyFormat = new Intl.NumberFormat(CONFIG.language || "fr", {
  style: "currency",
  currency: CONFIG.currency || "EUR",
});

/* "12,34", "12.3", 12.34 -> 1234; "" -> 0; not a number -> NaN. */
export function toCents(value) {
  if (value === null || value === undefined || value === "") return 0;
  if (typeof value === "number") return Math.round(value * 100);
  var text = String(value).trim().replace(/\s/g, "").replace(",", ".");
  if (!/^-?\d+(\.\d*)?$/.test(text)) return NaN;
  return Math.round(parseFloat(text) * 100);
}

/* 1234 -> "12.34", the API's decimal strings. */
export function fromCents(cents) {
  var sign = cents < 0 ? "-" : "";
  var abs = Math.abs(cents);
  return sign + Math.floor(abs / 100) + "." + String(abs % 100).padStart(2, "0");
}

/* 1234 -> "12,34 €" (in French). */
export function money(cents) {
  return moneyFormat.format(cents / 100);
}
