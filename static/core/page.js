/* Small page behaviours that used to be inline on*= handlers (refused by the Content-Security-Policy):
 *   <select data-autosubmit>  submits its form when the choice changes (language, currency);
 *   <button data-print>       prints the page (receipts, Z reports);
 *   <span data-cart-url>      the cart badge of a page served whole from the cache, which shows 0:
 *                             its count is asked from that URL (storefront.middleware).
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
  var badge = document.querySelector("[data-cart-url]");
  if (badge && window.fetch) {
    fetch(badge.getAttribute("data-cart-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && typeof data.cart_count === "number") badge.textContent = String(data.cart_count); })
      .catch(function () { /* the badge keeps 0: the cart page is one click away */ });
  }
})();
