/* Listing pages: the sort select submits itself when JavaScript runs. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var button = select.form && select.form.querySelector("[data-js-hide]");
    if (button) button.hidden = true;
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();

/* The filter panel: a sidebar from 1000 px on (open), above the results on a phone. There it starts
   closed even with filters applied (the server opens it for them), so the results come first. */
(function () {
  "use strict";
  var panel = document.querySelector("details.facets");
  if (!panel || !window.matchMedia) return;
  panel.open = window.matchMedia("(min-width: 1000px)").matches;
})();
