/* The checkout page: shows the chosen delivery panel and the total it costs, refreshes the carriers
 * when the country changes, focuses the error summary. Loaded as a file: the Content-Security-Policy
 * refuses inline scripts. */
(function () {
  var form = document.querySelector("form.checkout");
  if (!form) return;
  function sync() {
    var checked = form.querySelector("input[name=delivery_method]:checked");
    var method = checked ? checked.value : "";
    form.querySelectorAll(".delivery-panel").forEach(function (panel) {
      panel.hidden = panel.getAttribute("data-method") !== method;
    });
    var carrier = form.querySelector("input[name=carrier]:checked");
    var home = method === form.getAttribute("data-home-method") && carrier;
    form.querySelectorAll("[data-grand-total]").forEach(function (el) {
      el.textContent = home ? carrier.getAttribute("data-total") : el.getAttribute("data-collect");
    });
    form.querySelectorAll("[data-shipping-total]").forEach(function (el) {
      el.textContent = home ? carrier.getAttribute("data-shipping") : el.getAttribute("data-free");
    });
  }
  form.querySelectorAll("input[name=delivery_method], input[name=carrier]").forEach(function (input) {
    input.addEventListener("change", sync);
  });
  sync();
  /* a company on terms: the button says "Order on account", not "Pay" */
  var payLabel = form.querySelector("[data-pay-label]");
  form.querySelectorAll("input[name=provider]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (payLabel && input.checked) {
        payLabel.textContent = payLabel.getAttribute(input.value === "terms" ? "data-terms" : "data-online");
      }
    });
  });
  var country = form.querySelector("#country");
  var refresh = form.querySelector("button[value=refresh]");
  if (country && refresh) {
    country.addEventListener("change", function () { refresh.click(); });
  }
  var alert = document.getElementById("checkout-error");
  if (alert) alert.focus();
})();
/* "Remind me of my cart" (guests): remembered as soon as it is ticked with an address typed, so a
 * shopper who leaves before paying still gets the reminder they asked for. */
(function () {
  var box = document.querySelector("input[name=remind][data-remind-url]");
  var email = document.querySelector("#email");
  if (!box || !email) return;
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  function send() {
    if (!box.checked || !email.value || !email.checkValidity()) return;
    var body = new URLSearchParams({ remind: "1", email: email.value });
    fetch(box.getAttribute("data-remind-url"), {
      method: "POST",
      headers: { "X-CSRFToken": csrf ? csrf.value : "", Accept: "application/json" },
      body: body,
      credentials: "same-origin",
    }).catch(function () {});
  }
  box.addEventListener("change", send);
  email.addEventListener("change", send);
})();
