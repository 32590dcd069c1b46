/* Picking and packing: the scan field keeps the focus (a keyboard-wedge scanner types into whatever
 * has it, then presses Enter), as the till's scan field does. Other fields keep it while in use. */
(function () {
  "use strict";
  var scan = document.getElementById("ff-scan");
  if (!scan) return;
  function busy() {
    var active = document.activeElement;
    if (!active || active === document.body || active === scan) return false;
    return /^(INPUT|SELECT|TEXTAREA|BUTTON|SUMMARY)$/.test(active.tagName);
  }
  function refocus() {
    if (!busy() && document.activeElement !== scan) scan.focus({ preventScroll: true });
  }
  scan.focus();
  document.addEventListener("click", function () { setTimeout(refocus, 0); });
  scan.addEventListener("blur", function () { setTimeout(refocus, 300); });
  scan.form.addEventListener("submit", function (event) {
    if (!scan.value.trim()) { event.preventDefault(); return; }
    scan.readOnly = true;  // one scan per request: a second Enter waits for the page
  });
  // The pre-filled weight follows the parcel type (its tare): the server computed one per type.
  var type = document.querySelector('#parcel-form select[name="parcel_type"]');
  var weight = document.querySelector('#parcel-form input[name="weight_grams"]');
  if (type && weight) {
    type.addEventListener("change", function () {
      weight.placeholder = type.options[type.selectedIndex].getAttribute("data-weight");
    });
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
