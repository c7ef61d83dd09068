// Samplan's service worker. What it keeps is narrow and explicit:
// 1. SHELL: the offline page and the public static files it needs (no patient data);
// 2. COPIES: the start page and plan pages, only when the server says so for this device
//    ("X-Samplan-Offline: save"), i.e. when the person turned on offline reading here.
// A page answered without that header (setting off, signed out, session over) deletes every copy.
"use strict";

var SHELL = "samplan-shell-{{ version }}";
var COPIES = "samplan-copies";
var OFFLINE_URL = "{{ offline_url }}";
var SHELL_FILES = {{ shell_files|tojson }};
var HEADER = "X-Samplan-Offline";
var PLAN_LINK = /href="(\/plan\/\d+)"/g;
var REFRESH_AFTER_MS = 15 * 60 * 1000;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) {
      return cache.addAll(SHELL_FILES);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("samplan-shell-") === 0 && name !== SHELL;
      }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

function forgetCopies() {
  return caches.delete(COPIES);
}

function offlineVerdict(response) {
  var value = response.headers.get(HEADER) || "";
  var match = /^save; until=(\d+)$/.exec(value);
  if (match) {
    return { save: true, until: Number(match[1]) };
  }
  return { save: false, keep: value === "keep" };
}

// Store a copy with the moment it must be gone; page HTML only, never anything else.
function store(url, response, until) {
  return response.clone().text().then(function (body) {
    var copy = new Response(body, {
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "X-Samplan-Until": String(until),
        "X-Samplan-Saved": String(Date.now()),
      },
    });
    return caches.open(COPIES).then(function (cache) {
      return cache.put(url, copy);
    }).then(function () {
      return body;
    });
  });
}

// After the start page is saved: save the plans it links to, one at a time (kind to a weak
// connection), refreshing old copies, and delete copies of plans it no longer links to.
var saving = null;

function savePlans(startBody) {
  if (saving) {
    return saving;
  }
  var wanted = [];
  var match;
  PLAN_LINK.lastIndex = 0;
  while ((match = PLAN_LINK.exec(startBody)) !== null) {
    var url = new URL(match[1], self.location.origin).href;
    if (wanted.indexOf(url) === -1) {
      wanted.push(url);
    }
  }
  saving = caches.open(COPIES).then(function (cache) {
    return cache.keys().then(function (requests) {
      var stale = requests.filter(function (request) {
        return /\/plan\/\d+$/.test(request.url) && wanted.indexOf(request.url) === -1;
      });
      return Promise.all(stale.map(function (request) { return cache.delete(request); }));
    }).then(function () {
      return wanted.reduce(function (previous, url) {
        return previous.then(function () {
          return cache.match(url);
        }).then(function (old) {
          var saved = old && Number(old.headers.get("X-Samplan-Saved"));
          if (saved && Date.now() - saved < REFRESH_AFTER_MS) {
            return null;
          }
          return saveOne(url, 3);
        });
      }, Promise.resolve());
    });
  }).catch(function () {
    // Offline or the server busy: the copies saved before stay until the next try.
  }).then(function () {
    saving = null;
  });
  return saving;
}

// One plan; a busy server (5xx) is asked again a moment later, at most `tries` times in all.
function saveOne(url, tries) {
  return fetchAndMaybeStore(new Request(url, { credentials: "same-origin" }), false)
    .then(function (response) {
      if (response.status < 500 || tries <= 1) {
        return response;
      }
      return new Promise(function (resolve) { setTimeout(resolve, 1000); }).then(function () {
        return saveOne(url, tries - 1);
      });
    });
}

function isStart(url) {
  return new URL(url).pathname === "/";
}

// Fetch from the network and obey the server's verdict on keeping a copy. `after` is told
// what is still to do (saving the plans a saved start page links to), so the worker stays alive
// for it. Only pages the person opens (`page`) may tell the worker to delete every copy.
function fetchAndMaybeStore(request, page, after) {
  var tell = after || function () {};
  return fetch(request).then(function (response) {
    var type = response.headers.get("Content-Type") || "";
    var verdict = offlineVerdict(response);
    if (type.indexOf("text/html") !== 0) {
      tell(null);
      return response;
    }
    if (verdict.save && response.ok && !response.redirected) {
      return store(request.url, response, verdict.until).then(function (body) {
        tell(isStart(request.url) ? savePlans(body) : null);
        return response;
      });
    }
    if (page && !verdict.keep && !verdict.save) {
      return forgetCopies().then(function () {
        tell(null);
        return response;
      });
    }
    tell(null);
    return response;
  }, function (error) {
    tell(null);
    throw error;
  });
}

function offlinePage() {
  return caches.match(OFFLINE_URL);
}

// A kept copy, shown with its note ("Sparad … Du är inte ansluten") and only while the session
// it was saved in could still be open.
function savedCopy(url) {
  return caches.open(COPIES).then(function (cache) {
    return cache.match(url);
  }).then(function (copy) {
    if (!copy) {
      return null;
    }
    if (Date.now() > Number(copy.headers.get("X-Samplan-Until"))) {
      return forgetCopies().then(function () { return null; });
    }
    return copy.text().then(function (body) {
      return new Response(body.replace('id="offline-note" hidden', 'id="offline-note"'), {
        headers: { "Content-Type": "text/html; charset=utf-8" },
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  var page = request.mode === "navigate" || request.headers.get("HX-Boosted") === "true";
  if (page) {
    var finish;
    event.waitUntil(new Promise(function (resolve) { finish = resolve; }));
    event.respondWith(
      fetchAndMaybeStore(request, true, finish).catch(function () {
        if (request.mode !== "navigate") {
          return Response.error();
        }
        return savedCopy(request.url).then(function (copy) {
          return copy || offlinePage();
        });
      })
    );
    return;
  }
  if (SHELL_FILES.indexOf(url.pathname) !== -1) {
    event.respondWith(
      caches.match(request).then(function (hit) {
        return hit || fetch(request);
      })
    );
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "forget") {
    event.waitUntil(forgetCopies());
  } else if (data.type === "save") {
    event.waitUntil(new Promise(function (resolve) {
      fetchAndMaybeStore(new Request("/", { credentials: "same-origin" }), false, resolve)
        .catch(function () {});
    }));
  }
});

self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Samplan", {
      body: data.body || "",
      icon: "{{ icon_url }}",
      data: { url: data.url || "/" },
      tag: "samplan",
    })
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || "/",
    self.location.origin).href;
  event.waitUntil(self.clients.openWindow(target));
});
