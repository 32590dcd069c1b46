/*
 * Search suggestions under the shop's search box (#q): an ARIA combobox. While the shopper types
 * (debounced), GET the suggest API (products and categories, typos forgiven); Up/Down move through
 * the options (aria-activedescendant: the focus stays in the field), Enter opens the active one
 * (else the form searches as before), Escape closes the list. Without JavaScript the form works alone.
 */
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("q-suggest");
  if (!input || !list || !input.dataset.suggestUrl || !window.fetch) return;

  var DEBOUNCE_MS = 150;
  var MIN_CHARS = 2;
  var timer = null;
  var asked = "";
  var active = -1;
  var controller = null;

  function options() {
    return list.querySelectorAll('[role="option"]');
  }

  function close() {
    list.hidden = true;
    list.textContent = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function setActive(index) {
    var all = options();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach(function (node, i) {
      node.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function group(label) {
    var li = document.createElement("li");
    li.className = "suggest__group";
    li.setAttribute("role", "presentation");
    li.textContent = label;
    return li;
  }

  function option(index, url, text, extra, image) {
    var li = document.createElement("li");
    li.id = "q-suggest-" + index;
    li.className = "suggest__option";
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    li.dataset.url = url;
    if (image) {
      var img = document.createElement("img");
      img.src = image;
      img.alt = "";
      img.width = 40;
      img.height = 40;
      img.loading = "lazy";
      li.appendChild(img);
    }
    var name = document.createElement("span");
    name.className = "suggest__name";
    name.textContent = text;
    li.appendChild(name);
    if (extra) {
      var more = document.createElement("span");
      more.className = "suggest__extra";
      more.textContent = extra;
      li.appendChild(more);
    }
    li.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep the focus in the field until we leave
      window.location.assign(url);
    });
    return li;
  }

  function render(data) {
    list.textContent = "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
    var n = 0;
    if (data.products.length) {
      list.appendChild(group(list.dataset.labelProducts));
      data.products.forEach(function (p) {
        list.appendChild(option(n++, p.url, p.name, p.price, p.image));
      });
    }
    if (data.categories.length) {
      list.appendChild(group(list.dataset.labelCategories));
      data.categories.forEach(function (c) {
        list.appendChild(option(n++, c.url, c.name, "", ""));
      });
    }
    if (!n) return close();
    list.appendChild(option(n++, data.search_url, list.dataset.labelAll + " “" + data.query + "”", "", ""));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function ask() {
    var q = input.value.trim();
    if (q.length < MIN_CHARS) {
      asked = "";
      return close();
    }
    if (q === asked) return;
    asked = q;
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    var url = input.dataset.suggestUrl + "?" + new URLSearchParams({ q: q.slice(0, 100), lang: document.documentElement.lang });
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: controller && controller.signal })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && input.value.trim() === q) render(data);
      })
      .catch(function () {}); // offline or aborted: the form still searches
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, DEBOUNCE_MS);
  });

  input.addEventListener("keydown", function (event) {
    var open = !list.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) { asked = ""; ask(); return; }
      setActive(active + 1);
    } else if (event.key === "ArrowUp") {
      if (!open) return;
      event.preventDefault();
      setActive(active - 1);
    } else if (event.key === "Enter") {
      if (open && active >= 0) {
        event.preventDefault();
        window.location.assign(options()[active].dataset.url);
      }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        close();
      }
    }
  });

  input.addEventListener("blur", function () {
    window.setTimeout(close, 100);
  });
})();
