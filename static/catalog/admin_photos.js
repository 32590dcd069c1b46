// The product form's photos inline: drag a row to order the photos; the position inputs follow
// (10, 20, 30... top to bottom). Keyboard: Alt+ArrowUp / Alt+ArrowDown on a row's field moves it.
(function () {
  "use strict";

  function rows(body) {
    return Array.prototype.filter.call(body.querySelectorAll("tr.form-row"), function (row) {
      return !row.classList.contains("empty-form");
    });
  }

  function renumber(body) {
    rows(body).forEach(function (row, index) {
      var input = row.querySelector('input[name$="-position"]');
      if (input) input.value = String((index + 1) * 10);
    });
  }

  function setup(group) {
    var body = group.querySelector("tbody");
    if (!body || body.dataset.sortable) return;
    body.dataset.sortable = "1";
    var dragged = null;

    function prepare(row) {
      if (row.classList.contains("empty-form") || row.draggable) return;
      row.draggable = true;
      row.classList.add("photo-row");
    }
    rows(body).forEach(prepare);

    body.addEventListener("dragstart", function (event) {
      var row = event.target.closest && event.target.closest("tr.form-row");
      if (!row) return;
      dragged = row;
      row.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.id || "row");
    });
    body.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      var over = event.target.closest("tr.form-row");
      if (!over || over === dragged || over.classList.contains("empty-form")) return;
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      body.insertBefore(dragged, after ? over.nextSibling : over);
    });
    body.addEventListener("drop", function (event) {
      if (dragged) event.preventDefault();
    });
    body.addEventListener("dragend", function () {
      if (!dragged) return;
      dragged.classList.remove("is-dragging");
      dragged = null;
      renumber(body);
    });
    body.addEventListener("keydown", function (event) {
      if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
      var row = event.target.closest("tr.form-row");
      if (!row) return;
      var list = rows(body);
      var index = list.indexOf(row);
      var target = event.key === "ArrowUp" ? list[index - 1] : list[index + 1];
      if (!target) return;
      event.preventDefault();
      body.insertBefore(row, event.key === "ArrowUp" ? target : target.nextSibling);
      event.target.focus();
      renumber(body);
    });
    // Rows added with "Add another photo" join the order at the end.
    document.addEventListener("formset:added", function (event) {
      var row = event.target;
      if (row && body.contains(row)) {
        prepare(row);
        renumber(body);
      }
    });
  }

  function init() {
    document.querySelectorAll(".photo-inline").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
