/* Small page behaviours that used to be inline on*= handlers (refused by the Content-Security-Policy):
 *   <select data-autosubmit>  submits its form when the choice changes (language, currency);
 *   <button data-print>       prints the page (receipts, Z reports).
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
})();
