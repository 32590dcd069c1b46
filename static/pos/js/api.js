/*
 * The POS JSON API (/api/v1/pos/): api(method, path, body, headers) -> a promise of the JSON body.
 *
 * Every call sends the page language (so catalog names match the screen) and, when it writes, the
 * CSRF token; the session cookie authenticates it. A failure is an ApiError (the server answered:
 * status, code, message, data) or a NetworkError (no answer: error.network is true). Whether the
 * server answered is reported to the handler set with onReachability (the offline module).
 */
import { API } from "./config.js";
import { t } from "./i18n.js";

var reachability = function () {};

/* fn(true) when the server answered a call, fn(false) when a call got no answer. */
export function onReachability(fn) {
  reachability = fn;
}

export function NetworkError(message) {
  this.name = "NetworkError";
  this.message = message;
  this.network = true;
}

export function ApiError(status, data) {
  this.name = "ApiError";
  this.status = status;
  this.data = data || {};
  this.code = this.data.code || "error";
  this.message = this.data.message || t("server_error");
}

/* What to tell the cashier about a failed call. */
export function errorText(error) {
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

function csrfToken() {
  var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

/* A random uuid: a sale's id, an Idempotency-Key. */
export function uuid() {
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

/* path is relative to the API root ("sales/") unless it starts with "/". */
export function api(method, path, body, headers) {
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
      reachability(true);
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
      reachability(false);
      throw new NetworkError(t("network_error"));
    }
  );
}

/* A list endpoint's rows, paginated ({results: [...]}) or not. */
export function listOf(data) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data.results)) return data.results;
  return [];
}
