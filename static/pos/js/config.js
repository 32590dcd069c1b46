/*
 * What the page tells the app (json_script blocks rendered by pos.views.register_app) and the
 * app's fixed settings. Read once, when the first module imports this one.
 */

export var CONFIG = JSON.parse(document.getElementById("pos-config").textContent);
export var STRINGS = JSON.parse(document.getElementById("pos-strings").textContent);
export var API = CONFIG.urls.api;
export var OFFLINE_TENDERS = { cash: true, card: true }; // the others need the server to check them
export var SYNC_BATCH = 50;
export var CATALOG_REFRESH_MS = 10 * 60 * 1000;
export var CATALOG_PAGE_SIZE = 2500; // items a catalog page holds: ten steps of progress for 25,000
