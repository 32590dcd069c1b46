/* Stripe's Payment Element on our payment page (Stripe.js is loaded by the template). A file, not an
 * inline script: the Content-Security-Policy refuses those. */
window.addEventListener("load", function () {
  var form = document.getElementById("payment-form");
  var errorBox = document.getElementById("payment-error");
  var submit = document.getElementById("pay-submit");
  if (!window.Stripe) { errorBox.textContent = errorBox.getAttribute("data-load-error"); errorBox.hidden = false; document.getElementById("payment-element").hidden = true; submit.disabled = true; return; }
  var stripe = window.Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({clientSecret: form.dataset.clientSecret, locale: document.documentElement.lang});
  var element = elements.create("payment");
  element.mount("#payment-element");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit.disabled = true; errorBox.hidden = true;
    stripe.confirmPayment({elements: elements, confirmParams: {return_url: form.dataset.returnUrl}}).then(function (result) {
      if (result.error) { errorBox.textContent = result.error.message; errorBox.hidden = false; submit.disabled = false; }
    });
  });
});
