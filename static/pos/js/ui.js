/*
 * The small UI kit: element lookup and creation, inline errors, the toast, the app's own dialog
 * (ask(): never window.confirm, alert or prompt), and money (integer cents in the app, "12.34"
 * strings on the wire, formatted in the page language on screen).
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

/* Something the cashier did worked: an error toast still showing is about the past, it goes. */
export function clearErrorToast() {
  if ($("toast").dataset.kind === "error") hideToast();
}

// --- the dialog -----------------------------------------------------------------------------------

var FOCUSABLE = "button:not([disabled]), input:not([disabled]):not([type=hidden]), select, textarea, a[href]";

/*
 * ask({title, text, ok, cancel, danger, input: {label, type, value}, check}) -> Promise.
 * A modal (#dlg-ask: role=dialog, aria-modal) that keeps the focus inside it (Tab and Shift+Tab go
 * round), Escape cancels, Enter confirms. Without `input` it resolves true (confirmed) or false;
 * with one, the value typed or null. `check(value)` may return a Promise: while it runs the dialog
 * stays open, and if it rejects with a message the message shows in the dialog and the cashier may
 * correct the value or cancel.
 */
export function ask(opts) {
  var dialog = $("dlg-ask");
  var input = $("ask-input");
  var okButton = $("ask-ok");
  var cancelButton = $("ask-cancel");
  var before = document.activeElement;
  $("dlg-ask-title").textContent = opts.title || "";
  $("dlg-ask-text").textContent = opts.text || "";
  $("dlg-ask-text").hidden = !opts.text;
  $("ask-field").hidden = !opts.input;
  $("ask-label").textContent = opts.input ? opts.input.label || "" : "";
  input.type = opts.input && opts.input.type ? opts.input.type : "text";
  input.value = opts.input && opts.input.value ? opts.input.value : "";
  okButton.textContent = opts.ok || "OK";
  okButton.className = "btn " + (opts.danger ? "btn--danger" : "btn--primary");
  okButton.disabled = false;
  cancelButton.textContent = opts.cancel || "";
  showError("ask-error", "");
  return new Promise(function (resolve) {
    var done = false;
    function finish(result) {
      if (done) return;
      done = true;
      dialog.removeEventListener("keydown", onKey);
      dialog.removeEventListener("cancel", onCancel);
      $("ask-form").removeEventListener("submit", onSubmit);
      cancelButton.removeEventListener("click", onCancelClick);
      dialog.close();
      if (before && before.focus && document.contains(before)) before.focus({ preventScroll: true });
      resolve(result);
    }
    function cancel() {
      finish(opts.input ? null : false);
    }
    function confirm() {
      if (okButton.disabled) return;
      var value = opts.input ? input.value.trim() : true;
      if (!opts.check) return finish(value);
      okButton.disabled = true;
      showError("ask-error", "");
      Promise.resolve()
        .then(function () {
          return opts.check(value);
        })
        .then(
          function () {
            finish(value);
          },
          function (message) {
            okButton.disabled = false;
            showError("ask-error", String(message && message.message ? message.message : message));
            (opts.input ? input : okButton).focus();
          }
        );
    }
    function onSubmit(event) {
      event.preventDefault();
      confirm();
    }
    function onCancel(event) {
      event.preventDefault(); // the browser's own Escape: ours says what it means
      cancel();
    }
    function onCancelClick() {
      cancel();
    }
    function onKey(event) {
      if (event.key === "Escape") {
        event.preventDefault();
        cancel();
      } else if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault();
        confirm();
      } else if (event.key === "Tab") {
        var items = Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (node) {
          return node.offsetParent !== null;
        });
        if (!items.length) return;
        var first = items[0];
        var last = items[items.length - 1];
        if (event.shiftKey && document.activeElement === first) {
          event.preventDefault();
          last.focus();
        } else if (!event.shiftKey && document.activeElement === last) {
          event.preventDefault();
          first.focus();
        }
      }
    }
    dialog.addEventListener("keydown", onKey);
    dialog.addEventListener("cancel", onCancel);
    $("ask-form").addEventListener("submit", onSubmit);
    cancelButton.addEventListener("click", onCancelClick);
    dialog.showModal();
    if (opts.input) {
      input.focus();
      input.select();
    } else {
      okButton.focus();
    }
  });
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
