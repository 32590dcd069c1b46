/* Small page behaviours that used to be inline on*= handlers (refused by the Content-Security-Policy):
 *   <select data-autosubmit>  submits its form when the choice changes (language, currency);
 *   <button data-print>       prints the page (receipts, Z reports);
 *   <span data-cart-url>      the cart badge of a page served whole from the cache, which shows 0:
 *                             its count is asked from that URL (storefront.middleware);
 *   <a data-drawer-url>       the header's cart link opens the mini-cart drawer (the fragment at that
 *                             URL) instead of leaving the page; without script it is a plain link;
 *   <form data-buy-form>      "Add to cart" stays on the page: the line is added with a JSON request
 *                             and the drawer opens, or the refusal shows in the form.
 */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select instanceof HTMLSelectElement && select.hasAttribute("data-autosubmit") && select.form) {
      select.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) window.print();
  });
  var drawerLink = document.querySelector("[data-drawer-url]");
  var backdrop = null;
  var opener = null;

  function closeDrawer() {
    if (!backdrop || backdrop.hidden) return;
    backdrop.hidden = true;
    document.body.classList.remove("has-drawer");
    if (opener) opener.focus();
  }

  function openDrawer(from) {
    if (!drawerLink || !window.fetch) return false;
    if (!backdrop) {
      backdrop = document.createElement("div");
      backdrop.className = "drawer-backdrop";
      backdrop.hidden = true;
      backdrop.innerHTML = '<aside class="drawer" role="dialog" aria-modal="true" aria-labelledby="drawer-title" tabindex="-1"></aside>';
      document.body.appendChild(backdrop);
      backdrop.addEventListener("click", function (event) {
        if (event.target === backdrop || (event.target instanceof Element && event.target.closest("[data-drawer-close]"))) closeDrawer();
      });
      document.addEventListener("keydown", function (event) { if (event.key === "Escape") closeDrawer(); });
    }
    opener = from || drawerLink;
    var panel = backdrop.firstChild;
    fetch(drawerLink.getAttribute("data-drawer-url"), { credentials: "same-origin" })
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.text(); })
      .then(function (html) {
        panel.innerHTML = html;  // our own template, escaped by Django
        backdrop.hidden = false;
        document.body.classList.add("has-drawer");
        var close = panel.querySelector("[data-drawer-close]");
        (close || panel).focus();
      })
      .catch(function () { window.location.href = drawerLink.getAttribute("href"); });
    return true;
  }

  if (drawerLink) {
    drawerLink.addEventListener("click", function (event) {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
      if (openDrawer(drawerLink)) event.preventDefault();
    });
  }

  var buyForm = document.querySelector("form[data-buy-form]");
  if (buyForm && drawerLink && window.fetch && window.FormData) {
    buyForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = buyForm.querySelector("[type=submit]");
      var error = buyForm.querySelector("[data-buy-error]");
      if (button) button.disabled = true;
      fetch(buyForm.action, {
        method: "POST", body: new FormData(buyForm), credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.json().then(function (data) { return { ok: response.ok, data: data }; }); })
        .then(function (result) {
          if (!result.ok) {
            if (!error) {
              error = document.createElement("p");
              error.className = "errorlist";
              error.setAttribute("role", "alert");
              error.setAttribute("data-buy-error", "");
              buyForm.appendChild(error);
            }
            error.textContent = result.data.message || "";
            return;
          }
          if (error) error.remove();
          document.querySelectorAll("[data-cart-count]").forEach(function (node) { node.textContent = String(result.data.cart_count); });
          openDrawer(button);
        })
        .catch(function () { buyForm.submit(); })
        .then(function () { if (button) button.disabled = false; });
    });
  }

  var badge = document.querySelector("[data-cart-url]");
  if (badge && window.fetch) {
    fetch(badge.getAttribute("data-cart-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && typeof data.cart_count === "number") badge.textContent = String(data.cart_count); })
      .catch(function () { /* the badge keeps 0: the cart page is one click away */ });
  }
})();
