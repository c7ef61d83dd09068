// A diary value recorded without a connection waits on the phone and is sent once the
// connection returns (issue: self-care every day, "Offline").
//
// What is kept, and for how long: only the diary form's own fields (the value, the day and
// time it was recorded, a one-time key), in IndexedDB, with the opaque tag of the person who
// recorded it (#app's data-waiting-owner), until Samplan has answered it, and never more than
// eight days (Samplan takes values at most seven days back). Nothing else of the person is
// stored. A value is sent only from its recorder's own pages, never from another account
// signed in on the phone.
//
// Exactly once: each value has its own key, which Samplan keeps with the value and answers a
// second sending of with the value already kept (app/diary/services.py record); the phone
// sends from one tab at a time (a Web Lock) and deletes a value once Samplan has answered it.
// Elements are looked up when needed: htmx replaces the body on each in-app link.
(function () {
  "use strict";
  var DATABASE = "samplan-waiting";
  var STORE = "values";
  var KEEP_MS = 8 * 24 * 60 * 60 * 1000;
  var FIELDS = ["value", "second_value", "done", "day", "clock"];
  var confirming = null;  // the form whose unusual value the person is asked to look at again

  function byId(id) {
    return document.getElementById(id);
  }

  function owner() {
    var app = byId("app");
    return (app && app.dataset.waitingOwner) || "";
  }

  function readingACopy() {
    var note = byId("offline-note");
    return Boolean(note && !note.hidden);
  }

  function connected() {
    return navigator.onLine && !readingACopy();
  }

  function open() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) {
        reject(new Error("no IndexedDB"));
        return;
      }
      var request = window.indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () {
          db.close();
          resolve(result && "result" in result ? result.result : undefined);
        };
        transaction.onerror = function () {
          db.close();
          reject(transaction.error);
        };
      });
    });
  }

  function all() {
    return run("readonly", function (store) { return store.getAll(); });
  }

  function keep(value) {
    return run("readwrite", function (store) { store.put(value); });
  }

  function drop(key) {
    return run("readwrite", function (store) { store.delete(key); });
  }

  // Say what is waiting, what was sent and what was refused: one banner, one message at a time.
  function say(what, href) {
    var status = byId("waiting-status");
    if (!status) {
      return;
    }
    status.hidden = !what;
    status.querySelectorAll("[data-waiting-says]").forEach(function (line) {
      line.hidden = line.getAttribute("data-waiting-says") !== what;
      var link = line.querySelector("[data-waiting-link]");
      if (link && href && !line.hidden) {
        link.setAttribute("href", href);
      }
    });
  }

  function showOnly(id) {
    ["waiting-kept", "waiting-unusual", "waiting-empty"].forEach(function (name) {
      var node = byId(name);
      if (node) {
        node.hidden = name !== id;
      }
    });
    var shown = id && byId(id);
    if (shown) {
      shown.focus();
    }
  }

  function showOffline() {
    var note = byId("waiting-offline");
    if (note) {
      note.hidden = connected();
    }
  }

  // The time in Sweden now, as the form's day (YYYY-MM-DD) and clock (HH:MM) fields take it.
  function swedishNow() {
    var parts = {};
    new Intl.DateTimeFormat("sv-SE", {
      timeZone: "Europe/Stockholm",
      year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(new Date()).forEach(function (part) {
      parts[part.type] = part.value;
    });
    return {
      day: parts.year + "-" + parts.month + "-" + parts.day,
      clock: parts.hour + ":" + parts.minute,
    };
  }

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return "w-" + window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "w-" + Array.prototype.map.call(bytes, function (byte) {
      return ("0" + byte.toString(16)).slice(-2);
    }).join("");
  }

  function number(text) {
    var cleaned = (text || "").replace(/\s/g, "").replace(",", ".");
    return cleaned === "" ? null : Number(cleaned);
  }

  // Keep what the person recorded, as they recorded it; Samplan checks it when it arrives.
  // The form's own one-time key goes with it (a value whose answer was lost on the way may
  // have arrived: Samplan then keeps it once), and the form gets a fresh key for the next one.
  function record(form) {
    var fields = {};
    FIELDS.forEach(function (name) {
      var input = form.querySelector("[name='" + name + "']:not([type='radio']), [name='" + name +
        "'][type='radio']:checked");
      if (input && input.value) {
        fields[name] = input.value;
      }
    });
    var kind = form.getAttribute("data-waiting");
    if (kind === "done" ? !fields.done : !fields.value) {
      showOnly("waiting-empty");
      return;
    }
    var value = number(fields.value);
    var low = number(form.getAttribute("data-low"));
    var high = number(form.getAttribute("data-high"));
    var unusual = value !== null && !isNaN(value) &&
      ((low !== null && value < low) || (high !== null && value > high));
    var confirmed = form.querySelector("input[name='confirmed']");
    if (unusual && !confirmed && confirming !== form) {
      confirming = form;  // asked once, as Samplan asks: the next press keeps it
      showOnly("waiting-unusual");
      return;
    }
    if (unusual) {
      fields.confirmed = "1";
    }
    confirming = null;
    if (!fields.day) {
      var moment = swedishNow();
      fields.day = moment.day;
      fields.clock = moment.clock;
    }
    var keyField = form.querySelector("input[name='key']");
    fields.key = (keyField && keyField.value) || newKey();
    keep({ key: fields.key, owner: owner(), action: form.action, fields: fields, kept: Date.now() })
      .then(function () {
        if (keyField) {
          keyField.defaultValue = newKey();
        }
        form.reset();
        showOnly("waiting-kept");
        say("kept");
      }, function () {
        // The phone would not keep it (storage off or full): say it cannot go now, as for
        // any other form, and leave what was typed in the form.
        var status = byId("offline-status");
        if (status) {
          status.hidden = false;
          status.focus();
        }
      });
  }

  function waitingForm(node) {
    return node && node.closest ? node.closest("form[data-waiting]") : null;
  }

  // Before htmx sends the form (capture): without a connection, keep the value instead.
  document.addEventListener("submit", function (event) {
    var form = waitingForm(event.target);
    if (!form || connected()) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();  // htmx (listening on the form) must not try to send it
    if (owner()) {
      record(form);
    }
  }, true);

  // The phone said it was connected, but the value did not get through: keep it all the same.
  document.addEventListener("htmx:sendError", function (event) {
    var form = waitingForm(event.detail.elt);
    if (form && owner()) {
      record(form);
    }
  });

  function token() {
    var field = document.querySelector("input[name='csrf_token']");
    return field ? field.value : "";
  }

  // One value to Samplan. "sent", "refused" (Samplan answered and will not keep it), or "wait"
  // (no answer yet: no connection, signed out, an expired form, a busy server). `met`: the page
  // after sending shows an instruction from the plan, to be shown to the person at once.
  function send(waiting) {
    var body = new URLSearchParams();
    Object.keys(waiting.fields).forEach(function (name) {
      body.append(name, waiting.fields[name]);
    });
    body.append("csrf_token", token());
    return fetch(waiting.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Samplan-Waiting": "1" },
    }).then(function (response) {
      var landed = new URL(response.url);
      if (response.ok && response.redirected && landed.searchParams.has("sparat")) {
        return response.text().then(function (html) {
          return { outcome: "sent", url: response.url, met: html.indexOf("data-rule-met") !== -1 };
        });
      }
      if (response.headers.get("X-Samplan-Refused") || response.status === 404) {
        return { outcome: "refused", url: waiting.action };
      }
      return { outcome: "wait" };
    }, function () {
      return { outcome: "wait" };
    });
  }

  function sendAll() {
    var me = owner();
    if (!me) {
      return Promise.resolve();
    }
    var work = function () {
      return all().then(function (values) {
        var now = Date.now();
        var old = values.filter(function (value) { return now - value.kept > KEEP_MS; });
        var mine = values.filter(function (value) {
          return value.owner === me && now - value.kept <= KEEP_MS;
        });
        var result = { sent: null, refused: null, met: null, waiting: false };
        return Promise.all(old.map(function (value) { return drop(value.key); })).then(function () {
          if (!connected()) {
            result.waiting = mine.length > 0;
            return result;
          }
          return mine.reduce(function (previous, value) {
            return previous.then(function () {
              if (result.waiting) {
                return null;  // no answer for the one before: the rest wait for the next try
              }
              return send(value).then(function (answer) {
                if (answer.outcome === "wait") {
                  result.waiting = true;
                  return null;
                }
                result[answer.outcome] = answer.url;
                if (answer.met) {
                  result.met = answer.url;
                }
                return drop(value.key);
              });
            });
          }, Promise.resolve()).then(function () { return result; });
        });
      });
    };
    var done = navigator.locks ? navigator.locks.request("samplan-waiting", work) : work();
    return done.then(function (result) {
      if (result.met) {
        window.location.assign(result.met);  // the plan's instruction, at once
      } else if (result.refused) {
        say("refused", result.refused);
      } else if (result.waiting) {
        say("kept");
      } else if (result.sent && new URL(result.sent).pathname === window.location.pathname) {
        window.location.assign(result.sent);  // this diary page, with the value in it
      } else if (result.sent) {
        say("sent", result.sent);
      }
    }).catch(function () {
      // No IndexedDB here: nothing can have been kept, so nothing waits.
    });
  }

  window.addEventListener("online", function () {
    showOffline();
    sendAll();
  });
  window.addEventListener("offline", showOffline);
  document.addEventListener("htmx:load", showOffline);
  showOffline();
  sendAll();
})();
