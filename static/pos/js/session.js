/*
 * The register session: pick a register of the store (GET registers/), join its open session or
 * open one with a counted float (POST sessions/), remember it on the tablet (PosStore meta
 * "session"), and move cash in or out of the drawer (POST sessions/<id>/cash/).
 * Closing and the Z report are in closing.js.
 */
import { api, errorText, listOf, uuid } from "./api.js";
import { refreshCatalog } from "./catalog.js";
import { resetSale } from "./checkout.js";
import { t } from "./i18n.js";
import { go } from "./screens.js";
import { state } from "./state.js";
import { PosStore } from "./store.js";
import { $, el, fromCents, money, showError, toast, toCents } from "./ui.js";

var chosenRegister = null;

export function setSession(session) {
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

function openSessionOf(register) {
  var open = register.open_session;
  if (open === null || open === undefined) return null;
  return typeof open === "object" ? open : { id: open };
}

function registerCard(register) {
  var open = openSessionOf(register);
  var openedBy = (open && open.opened_by) || "";
  return el("li", null, [
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
  ]);
}

export function showPicker() {
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
        list.appendChild(registerCard(register));
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

function openRegister(event) {
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
}

export function startSelling() {
  resetSale();
  go("sale");
  refreshCatalog();
}

// --- cash in / out --------------------------------------------------------------------------------

export function openCash() {
  if (!state.online) return toast(t("needs_network"), "error");
  $("cash-form").reset();
  showError("cash-error", "");
  $("dlg-cash").showModal();
  $("cash-amount").focus();
}

function recordCash(event) {
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
}

export function init() {
  $("open-cancel").addEventListener("click", function () {
    $("open-form").hidden = true;
    chosenRegister = null;
  });
  $("open-form").addEventListener("submit", openRegister);
  $("cash-form").addEventListener("submit", recordCash);
}
