/*
 * The register's service worker, served at /pos/sw.js (scope /pos/) with SHELL_VERSION and
 * SHELL_URLS prepended by pos.views.service_worker.
 *
 * - The app shell (/pos/, every ES module under static/pos/js/, the CSS, the manifest) is cached at
 *   install; navigations to /pos/ go to the network first (fresh CSRF token, fresh strings) and
 *   fall back to the cached shell offline. SHELL_VERSION hashes all of them: any change installs a
 *   new worker, which caches the new shell under a new name.
 * - Static files: cache first, refreshed in the background.
 * - The API and the websocket are never cached here: the app keeps its catalog and its queue of
 *   sales in IndexedDB, where it can reason about them.
 */
/* global SHELL_VERSION, SHELL_URLS */
"use strict";

var CACHE = SHELL_VERSION;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(CACHE)
      .then(function (cache) {
        return cache.addAll(
          SHELL_URLS.map(function (url) {
            return new Request(url, { credentials: "same-origin", cache: "reload" });
          })
        );
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (keys) {
        return Promise.all(
          keys
            .filter(function (key) {
              return key.indexOf("pos-shell-") === 0 && key !== CACHE;
            })
            .map(function (key) {
              return caches.delete(key);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

function isShellPage(url) {
  return url.pathname === "/pos/" || url.pathname === "/pos";
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.mode === "navigate" && isShellPage(url)) {
    event.respondWith(
      fetch(request)
        .then(function (response) {
          if (response.ok && !response.redirected) {
            var copy = response.clone();
            caches.open(CACHE).then(function (cache) {
              cache.put("/pos/", copy);
            });
          }
          return response;
        })
        .catch(function () {
          return caches.match("/pos/").then(function (cached) {
            return cached || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
          });
        })
    );
    return;
  }

  var isShellAsset = SHELL_URLS.indexOf(url.pathname) !== -1 || url.pathname.indexOf("/static/pos/") === 0;
  if (isShellAsset) {
    event.respondWith(
      caches.match(request, { ignoreSearch: true }).then(function (cached) {
        var network = fetch(request)
          .then(function (response) {
            if (response.ok) {
              var copy = response.clone();
              caches.open(CACHE).then(function (cache) {
                cache.put(request, copy);
              });
            }
            return response;
          })
          .catch(function () {
            return cached;
          });
        return cached || network;
      })
    );
  }
});
