// Live preview of the Markdown bodies of articles and pages in the admin (content.admin).
// Under each body field (one per language tab), the HTML the shop will show, refreshed as you type.
(function () {
  "use strict";
  var match = window.location.pathname.match(/^(.*\/content\/(?:article|page)\/)/);
  if (!match) return;
  var url = match[1] + "preview/";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function attach(textarea) {
    var box = document.createElement("div");
    box.className = "md-preview";
    box.setAttribute("aria-live", "polite");
    var title = document.createElement("p");
    title.className = "md-preview__title";
    title.textContent = "Preview";
    var body = document.createElement("div");
    body.className = "md-preview__body";
    box.appendChild(title);
    box.appendChild(body);
    textarea.insertAdjacentElement("afterend", box);
    var timer = null;
    var seq = 0;

    function refresh() {
      var mine = ++seq;
      var data = new FormData();
      data.append("text", textarea.value);
      fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } })
        .then(function (r) { return r.json(); })
        .then(function (json) {
          if (mine !== seq) return;
          // Safe: the server renders Markdown with raw HTML disabled (content.markdown).
          if (json.html !== undefined) body.innerHTML = json.html; else body.textContent = json.message || "";
        })
        .catch(function () { body.textContent = "Preview unavailable."; });
    }

    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[id^=id_body]").forEach(attach);
  });
})();
