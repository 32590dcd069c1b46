/* Product page enhancement: size/colour buttons instead of the variant select, live stock per store.
   Without JavaScript the page works as is: the <select name="sku"> in the add-to-cart form. */
(function () {
  "use strict";
  var dataEl = document.getElementById("variant-data");
  var form = document.querySelector("[data-buy-form]");
  if (!dataEl || !form) return;
  var variants = JSON.parse(dataEl.textContent);
  var select = form.querySelector("select[name=sku]");
  var pickers = form.querySelectorAll("[data-picker]");
  var storeList = document.querySelector("[data-store-stock]");
  var total = document.querySelector("[data-stock-total]");
  var addButton = form.querySelector("[data-add-button]");
  var priceValue = document.querySelector("[data-price-value]");

  function fmt(tpl, values) {
    return tpl.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function renderStock(sku) {
    var v = variants[sku];
    if (!v || !storeList) return;
    var sum = 0;
    Object.keys(v.stock).forEach(function (code) { sum += Math.max(0, v.stock[code]); });
    storeList.querySelectorAll("li[data-location]").forEach(function (li) {
      var n = Math.max(0, v.stock[li.dataset.location] || 0);
      var store = li.dataset.storeName;
      var tpl = n > 3 ? storeList.dataset.tplMany : n === 1 ? storeList.dataset.tplOne : n > 0 ? storeList.dataset.tplFew : storeList.dataset.tplNone;
      li.textContent = fmt(tpl, { n: n, store: store });
      li.className = n > 3 ? "is-in" : n > 0 ? "is-few" : "is-out";
    });
    if (total) {
      total.textContent = sum > 0 ? total.dataset.labelIn : total.dataset.labelOut;
      total.className = "stock-badge " + (sum > 0 ? "stock-badge--in" : "stock-badge--out");
    }
    if (addButton) addButton.disabled = sum <= 0;
  }

  function currentSku() { return select ? select.value : null; }

  function fromPickers() {
    var wanted = {};
    pickers.forEach(function (p) {
      var checked = p.querySelector("input:checked");
      if (checked) wanted[p.dataset.picker] = checked.value;
    });
    var skus = Object.keys(variants);
    for (var i = 0; i < skus.length; i++) {
      var opts = variants[skus[i]].options, ok = true;
      for (var key in wanted) { if (opts[key] !== wanted[key]) { ok = false; break; } }
      if (ok) return skus[i];
    }
    return null;
  }

  function markUnavailable() {
    // Grey out the values that have no variant with the other chosen options.
    pickers.forEach(function (p) {
      var type = p.dataset.picker;
      p.querySelectorAll("input").forEach(function (input) {
        var exists = Object.keys(variants).some(function (sku) {
          var opts = variants[sku].options;
          if (opts[type] !== input.value) return false;
          var fine = true;
          pickers.forEach(function (other) {
            if (other === p) return;
            var c = other.querySelector("input:checked");
            if (c && opts[other.dataset.picker] !== c.value) fine = false;
          });
          return fine;
        });
        input.parentElement.classList.toggle("is-missing", !exists);
      });
    });
  }

  function choose(sku) {
    if (!sku || !variants[sku]) return;
    if (select) select.value = sku;
    var selectedOption = select && select.options[select.selectedIndex];
    if (priceValue && selectedOption) {
      var parts = selectedOption.textContent.split(" — ");
      if (parts.length > 1) priceValue.textContent = parts[1];
    }
    renderStock(sku);
    var url = new URL(window.location.href);
    url.searchParams.set("sku", sku);
    window.history.replaceState(null, "", url);
  }

  if (pickers.length) {
    pickers.forEach(function (p) { p.hidden = false; });
    var wrap = form.querySelector("[data-variant-select]");
    if (wrap) wrap.classList.add("visually-hidden");
    form.addEventListener("change", function (event) {
      if (event.target.name && event.target.name.indexOf("opt-") === 0) {
        markUnavailable();
        var sku = fromPickers();
        if (sku) choose(sku);
        else if (addButton) addButton.disabled = true;
      }
    });
    markUnavailable();
  }
  if (select) select.addEventListener("change", function () { choose(select.value); });

  // Live availability: a public read-only socket, snapshot first then every change.
  // "Reserve to try in store": the variant and quantity chosen in the buy form.
  var reserve = document.querySelector("[data-reserve-form]");
  if (reserve) {
    reserve.addEventListener("submit", function () {
      var qty = form.querySelector("input[name=quantity]");
      reserve.querySelector("input[name=sku]").value = currentSku();
      if (qty) reserve.querySelector("input[name=quantity]").value = qty.value || "1";
    });
  }

  if (!("WebSocket" in window)) return;
  var skus = Object.keys(variants);
  var retry = 1000;
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/availability/?skus=" + encodeURIComponent(skus.join(",")));
    var versions = {};
    function apply(row) {
      var key = row.sku + "@" + row.location;
      if (versions[key] && versions[key] > row.version) return;
      versions[key] = row.version;
      if (variants[row.sku]) variants[row.sku].stock[row.location] = row.available;
    }
    socket.onopen = function () { retry = 1000; };
    socket.onmessage = function (event) {
      var msg = JSON.parse(event.data);
      if (msg.type === "snapshot") msg.levels.forEach(apply);
      else if (msg.type === "availability") apply(msg);
      else return;
      renderStock(currentSku());
    };
    socket.onclose = function (event) {
      if (event.code >= 4000 && event.code < 4500) return;  // refused: do not insist
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();
