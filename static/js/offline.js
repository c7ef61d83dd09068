// The service worker, and honesty when offline: say so, keep what was typed, send nothing.
// Never stores anything itself (no localStorage, no sessionStorage); only a diary value recorded
// without a connection waits on the phone until it is sent (waiting.js, IndexedDB).
// Elements are looked up when needed: htmx replaces the body on each in-app link.
(function () {
  "use strict";
  function byId(id) {
    return document.getElementById(id);
  }

  function readingACopy() {
    var note = byId("offline-note");
    return Boolean(note && !note.hidden);
  }

  function offline() {
    return !navigator.onLine || readingACopy();
  }

  // The diary's form is the exception: a value recorded without a connection waits on the
  // phone and is sent later (waiting.js).
  function postForms() {
    return document.querySelectorAll(
      "form[method='post']:not([data-waiting]) button[type='submit']");
  }

  function show() {
    var cut = offline();
    var status = byId("offline-status");
    if (status) {
      // A saved copy says so in its own note; one banner is enough.
      status.hidden = !cut || readingACopy();
    }
    postForms().forEach(function (button) {
      if (cut) {
        button.setAttribute("aria-disabled", "true");
      } else {
        button.removeAttribute("aria-disabled");
      }
    });
  }

  // A form sent without a connection would lose what was written: stop it and say why.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.method === "post" && offline() && !form.hasAttribute("data-waiting")) {
      event.preventDefault();
      show();
      var status = byId("offline-status");
      if (status) {
        status.hidden = false;  // they tried to send: say why it cannot go now
        status.setAttribute("tabindex", "-1");
        status.focus();
      }
    }
  }, true);
  window.addEventListener("online", show);
  window.addEventListener("offline", show);
  // A boosted link that cannot be fetched: go there the plain way, so the service worker can
  // answer with the saved copy or the offline page.
  document.addEventListener("htmx:sendError", function (event) {
    var config = event.detail.requestConfig || {};
    var source = event.detail.elt;
    if (source && source.hasAttribute && source.hasAttribute("data-poll")) {
      return;  // a poll that could not reach Samplan changes nothing on the page
    }
    if (source && source.closest && source.closest("form[data-waiting]")) {
      return;  // a diary value: waiting.js keeps it on the phone and says so
    }
    var status = byId("offline-status");
    if (config.verb === "get" && config.boosted && config.path) {
      window.location.assign(config.path);
    } else if (status) {
      status.hidden = false;
    }
  });
  document.addEventListener("htmx:load", show);
  show();

  // htmx keeps the current path in sessionStorage (its history cache is off, so that is all it
  // writes). It finds the path without it, so remove it: nothing of the person stays behind.
  function forgetPath() {
    try {
      window.sessionStorage.removeItem("htmx-current-path-for-history");
    } catch (error) {
      // Storage disabled: nothing to remove.
    }
  }
  ["htmx:pushedIntoHistory", "htmx:replacedInHistory", "htmx:historyRestore", "htmx:load"]
    .forEach(function (name) { document.addEventListener(name, forgetPath); });
  forgetPath();

  var app = byId("app");
  if (!("serviceWorker" in navigator) || !app || !app.dataset.serviceWorker) {
    return;
  }
  var ready = navigator.serviceWorker.register(app.dataset.serviceWorker, { scope: "/" })
    .then(function () {
      return navigator.serviceWorker.ready;
    });

  // Tell the worker what this page asks for: forget everything (signed out) or save the
  // person's copies (the setting was just turned on). Asked again after each in-app link.
  function instruct() {
    ready.then(function (registration) {
      var worker = registration.active;
      var current = byId("app");
      if (!worker || !current) {
        return;
      }
      if (current.hasAttribute("data-signed-out")) {
        worker.postMessage({ type: "forget" });
      } else if (byId("offline-save")) {
        worker.postMessage({ type: "save" });
      }
    }).catch(function () {
      // Without a service worker Samplan still works; it only cannot be read offline.
    });
  }
  instruct();
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    if (elt.id === "offline-save" || (elt.querySelector && elt.querySelector("#offline-save"))) {
      instruct();
    }
  });
})();
