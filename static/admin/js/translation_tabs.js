/*
 * Language tabs for django-modeltranslation fields in the admin, without jQuery UI (issue 16).
 *
 * modeltranslation marks each translated widget with the classes "mt" and
 * "mt-field-<field>-<lang>" (ids end in "_<lang>"). This groups the widgets of one field (in the
 * main form, a stacked inline or a row of a tabular inline) into one tab list: role=tablist/tab/
 * tabpanel, arrow keys, Home and End. Every group on the page follows the language last chosen.
 * A row added by "Add another" is grouped when Django fires "formset:added". No network request.
 */
(function () {
  "use strict";

  var PREFIX = "mt-field-";
  var NAMES = { fr: "Français", en: "English", it: "Italiano", de: "Deutsch", es: "Español" };
  var current = null; // the language every group shows; null: the page's language

  function parse(el) {
    var classes = (el.getAttribute("class") || "").split(/\s+/);
    for (var i = 0; i < classes.length; i++) {
      var cls = classes[i];
      if (cls.indexOf(PREFIX) === 0) {
        var rest = cls.substring(PREFIX.length);
        var cut = rest.lastIndexOf("-");
        var lang = rest.substring(cut + 1);
        var id = el.id || "";
        var suffix = "_" + lang;
        var group = id.slice(-suffix.length) === suffix ? id.slice(0, -suffix.length) : id;
        return { field: rest.substring(0, cut), lang: lang, group: group };
      }
    }
    return null;
  }

  function widgets(root) {
    var found = root.querySelectorAll("input.mt, textarea.mt, select.mt");
    var out = [];
    for (var i = 0; i < found.length; i++) {
      var el = found[i];
      if (el.closest(".empty-form") || el.closest(".mt-tabs")) continue;
      if (el.id.indexOf("__prefix__") !== -1) continue;
      var info = parse(el);
      if (info) out.push({ el: el, info: info });
    }
    return out;
  }

  function grouped(items) {
    var groups = {};
    var order = [];
    items.forEach(function (item) {
      if (!groups[item.info.group]) {
        groups[item.info.group] = [];
        order.push(item.info.group);
      }
      groups[item.info.group].push(item);
    });
    return order.map(function (key) { return groups[key]; });
  }

  function pageLanguage() {
    return (document.documentElement.getAttribute("lang") || "").toLowerCase().split("-")[0];
  }

  function buildTabs(group, cellOf) {
    var first = cellOf(group[0].el);
    if (!first || !first.parentNode) return null;
    var wrapper = document.createElement(first.tagName === "TD" ? "td" : "div");
    wrapper.className = "mt-tabs";
    if (first.tagName === "TD") wrapper.className += " " + first.className;
    var list = document.createElement("div");
    list.className = "mt-tablist";
    list.setAttribute("role", "tablist");
    wrapper.appendChild(list);
    first.parentNode.insertBefore(wrapper, first);
    var errorLang = null;
    group.forEach(function (item) {
      var lang = item.info.lang;
      var cell = cellOf(item.el);
      var tab = document.createElement("button");
      tab.type = "button";
      tab.className = "mt-tab";
      tab.id = "mt-tab-" + item.el.id;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", "mt-panel-" + item.el.id);
      tab.setAttribute("data-lang", lang);
      tab.textContent = NAMES[lang] || lang;
      var panel = document.createElement("div");
      panel.className = "mt-panel";
      panel.id = "mt-panel-" + item.el.id;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.setAttribute("data-lang", lang);
      if (cell.tagName === "TD") {
        // a tabular inline: the cell's content moves into the panel, the cell and its header go
        while (cell.firstChild) panel.appendChild(cell.firstChild);
        if (cell.classList.contains("errors") || panel.querySelector(".errorlist")) errorLang = errorLang || lang;
        cell.parentNode.removeChild(cell);
      } else {
        if (cell.classList.contains("errors") || cell.querySelector(".errorlist")) errorLang = errorLang || lang;
        panel.appendChild(cell);
      }
      // the tab names the language: "Nom [fr]" becomes "Nom"
      var labels = panel.querySelectorAll("label");
      for (var i = 0; i < labels.length; i++) {
        labels[i].innerHTML = labels[i].innerHTML.replace(/ \[[a-z_-]+\]/i, "");
      }
      if (item.el.classList.contains("mt-default") && item.el.required) tab.classList.add("required");
      list.appendChild(tab);
      wrapper.appendChild(panel);
    });
    if (errorLang) wrapper.querySelector('.mt-tab[data-lang="' + errorLang + '"]').classList.add("mt-tab-error");
    return { wrapper: wrapper, errorLang: errorLang };
  }

  function show(wrapper, lang) {
    var tabs = wrapper.querySelectorAll(":scope > .mt-tablist > .mt-tab");
    var panels = wrapper.querySelectorAll(":scope > .mt-panel");
    var found = false;
    for (var i = 0; i < tabs.length; i++) if (tabs[i].getAttribute("data-lang") === lang) found = true;
    if (!found && tabs.length) lang = tabs[0].getAttribute("data-lang");
    for (var j = 0; j < tabs.length; j++) {
      var on = tabs[j].getAttribute("data-lang") === lang;
      tabs[j].setAttribute("aria-selected", on ? "true" : "false");
      tabs[j].tabIndex = on ? 0 : -1;
    }
    for (var k = 0; k < panels.length; k++) {
      panels[k].hidden = panels[k].getAttribute("data-lang") !== lang;
    }
  }

  function showEverywhere(lang) {
    current = lang;
    var all = document.querySelectorAll(".mt-tabs");
    for (var i = 0; i < all.length; i++) show(all[i], lang);
  }

  function tabularHeaders(table) {
    // hide the header of every column whose cells moved into the first language's cell
    var heads = table.querySelectorAll("thead th");
    for (var i = 0; i < heads.length; i++) {
      var th = heads[i];
      var m = /(.*) \[([a-z_-]+)\]/i.exec(th.textContent.trim());
      if (!m) continue;
      if (th.getAttribute("data-mt-first") === null && th.parentNode.querySelector('[data-mt-field="' + m[1] + '"]')) {
        th.hidden = true;
      } else {
        th.setAttribute("data-mt-field", m[1]);
        th.setAttribute("data-mt-first", "");
        th.innerHTML = th.innerHTML.replace(/ \[[a-z_-]+\]/i, "");
      }
    }
  }

  function enhance(root) {
    var items = widgets(root);
    if (!items.length) return;
    var errorLang = null;
    grouped(items).forEach(function (group) {
      var inTable = !!group[0].el.closest("td");
      var cellOf = inTable
        ? function (el) { return el.closest("td"); }
        : function (el) { return el.closest(".fieldBox") || el.closest(".form-row") || el.parentNode; };
      var built = buildTabs(group, cellOf);
      if (built && built.errorLang) errorLang = errorLang || built.errorLang;
      if (inTable) {
        var table = group[0].el.closest("table");
        if (table && !table.hasAttribute("data-mt-headers")) {
          table.setAttribute("data-mt-headers", "");
          tabularHeaders(table);
        }
      }
    });
    showEverywhere(errorLang || current || pageLanguage());
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest(".mt-tab");
    if (!tab) return;
    event.preventDefault();
    showEverywhere(tab.getAttribute("data-lang"));
  });

  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest(".mt-tab");
    if (!tab) return;
    var tabs = Array.prototype.slice.call(tab.parentNode.querySelectorAll(".mt-tab"));
    var index = tabs.indexOf(tab);
    var next = null;
    if (event.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
    else if (event.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
    else if (event.key === "Home") next = tabs[0];
    else if (event.key === "End") next = tabs[tabs.length - 1];
    if (!next) return;
    event.preventDefault();
    showEverywhere(next.getAttribute("data-lang"));
    next.focus();
  });

  document.addEventListener("formset:added", function (event) {
    enhance(event.target);
  });

  function start() {
    if (document.body.classList.contains("change-form")) enhance(document);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
