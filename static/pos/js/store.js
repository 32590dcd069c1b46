/*
 * The register's local storage, in IndexedDB ("omni-pos"), so the till keeps working offline and
 * nothing is lost when the tab closes:
 *
 * - "catalog": the store's catalog (keyPath sku), refreshed from GET /api/v1/pos/catalog/ online;
 * - "queue":   sales waiting for the server (keyPath uuid). A sale is written here BEFORE it is sent;
 *              it leaves the queue only when the server answered created/duplicate for its uuid;
 * - "meta":    small key/value records (the open session, the promotions, the catalog's date and
 *              its cursor: the next refresh asks GET catalog/?since=<cursor> for what changed).
 *
 * Also window.PosStore, for the browser tests and the console.
 */
var DB_NAME = "omni-pos";
var DB_VERSION = 1;
var dbPromise = null;

function open() {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise(function (resolve, reject) {
    var request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = function () {
      var db = request.result;
      if (!db.objectStoreNames.contains("catalog")) {
        var catalog = db.createObjectStore("catalog", { keyPath: "sku" });
        catalog.createIndex("ean13", "ean13", { unique: false });
      }
      if (!db.objectStoreNames.contains("queue")) {
        db.createObjectStore("queue", { keyPath: "uuid" });
      }
      if (!db.objectStoreNames.contains("meta")) {
        db.createObjectStore("meta");
      }
    };
    request.onsuccess = function () {
      resolve(request.result);
    };
    request.onerror = function () {
      dbPromise = null;
      reject(request.error);
    };
  });
  return dbPromise;
}

function run(storeName, mode, work) {
  return open().then(function (db) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(storeName, mode);
      var store = tx.objectStore(storeName);
      var result;
      var out = work(store, function (value) {
        result = value;
      });
      tx.oncomplete = function () {
        resolve(result !== undefined ? result : out);
      };
      tx.onerror = function () {
        reject(tx.error);
      };
      tx.onabort = function () {
        reject(tx.error);
      };
    });
  });
}

/* One readwrite transaction over the catalog and the meta records. */
function runBoth(work) {
  return open().then(function (db) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(["catalog", "meta"], "readwrite");
      work(tx.objectStore("catalog"), tx.objectStore("meta"));
      tx.oncomplete = function () {
        resolve();
      };
      tx.onerror = function () {
        reject(tx.error);
      };
      tx.onabort = function () {
        reject(tx.error);
      };
    });
  });
}

function putAll(store, values) {
  Object.keys(values || {}).forEach(function (key) {
    store.put(values[key], key);
  });
}

function requestValue(request, set) {
  request.onsuccess = function () {
    set(request.result);
  };
}

export var PosStore = {
  open: open,

  getMeta: function (key) {
    return run("meta", "readonly", function (store, set) {
      requestValue(store.get(key), set);
    }).then(function (value) {
      return value === undefined ? null : value;
    });
  },

  setMeta: function (key, value) {
    return run("meta", "readwrite", function (store) {
      store.put(value, key);
    });
  },

  deleteMeta: function (key) {
    return run("meta", "readwrite", function (store) {
      store.delete(key);
    });
  },

  /*
   * Replace the whole catalog and its meta records (promotions, cursor) in one transaction: a
   * half-written catalog, or a cursor that does not match it, is never visible.
   */
  replaceCatalog: function (items, meta) {
    return runBoth(function (catalog, metaStore) {
      catalog.clear();
      items.forEach(function (item) {
        catalog.put(item);
      });
      putAll(metaStore, meta);
    });
  },

  /* A delta: drop the removed SKUs, then put the changed items, with the new cursor; one transaction. */
  applyCatalogDelta: function (removed, items, meta) {
    return runBoth(function (catalog, metaStore) {
      removed.forEach(function (sku) {
        catalog.delete(sku);
      });
      items.forEach(function (item) {
        catalog.put(item);
      });
      putAll(metaStore, meta);
    });
  },

  allCatalog: function () {
    return run("catalog", "readonly", function (store, set) {
      requestValue(store.getAll(), set);
    }).then(function (items) {
      return items || [];
    });
  },

  putCatalogItem: function (item) {
    return run("catalog", "readwrite", function (store) {
      store.put(item);
    });
  },

  /* The offline queue. */
  enqueue: function (sale) {
    return run("queue", "readwrite", function (store) {
      store.put(sale);
    });
  },

  dequeue: function (uuid) {
    return run("queue", "readwrite", function (store) {
      store.delete(uuid);
    });
  },

  queued: function () {
    return run("queue", "readonly", function (store, set) {
      requestValue(store.getAll(), set);
    }).then(function (items) {
      items = items || [];
      items.sort(function (a, b) {
        return (a.queued_at || 0) - (b.queued_at || 0);
      });
      return items;
    });
  },
};

window.PosStore = PosStore;
