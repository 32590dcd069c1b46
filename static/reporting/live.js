/* The overview of a period that includes today follows the sales: the server says "today changed"
 * on /ws/dashboard/ and the KPI block is fetched again (same scoping as the page). Without a socket
 * (or after it drops) the block refreshes every 60 s. */
(function () {
  "use strict";
  var box = document.getElementById("kpis");
  if (!box || !box.dataset.liveUrl) return;
  var status = document.querySelector("[data-live-status]");
  var pending = null;
  function refresh() {
    pending = null;
    fetch(box.dataset.liveUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) { box.innerHTML = html; box.dataset.updated = String(Date.now()); } });
  }
  function soon() { if (!pending) pending = setTimeout(refresh, 500); }  // a burst of sales: one fetch
  var retry = 1000;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws/dashboard/");
    socket.onopen = function () { retry = 1000; if (status) status.classList.add("live-badge--on"); };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "today.changed") soon();
    };
    socket.onclose = function (event) {
      if (status) status.classList.remove("live-badge--on");
      if (event.code === 4401 || event.code === 4403) return;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
  setInterval(refresh, 60000);
})();
