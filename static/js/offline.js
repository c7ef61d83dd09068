// The service worker, and honesty when offline: say so, keep what was typed, send nothing.
// Never stores anything itself (no localStorage, no sessionStorage).
(function () {
  "use strict";
  var app = document.getElementById("app");
  var status = document.getElementById("offline-status");
  var note = document.getElementById("offline-note");

  function readingACopy() {
    return Boolean(note && !note.hidden);
  }

  function offline() {
    return !navigator.onLine || readingACopy();
  }

  function postForms() {
    return document.querySelectorAll("form[method='post'] button[type='submit']");
  }

  function show() {
    var cut = offline();
    if (status) {
      status.hidden = !cut;
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
    if (form.method === "post" && offline()) {
      event.preventDefault();
      show();
      if (status) {
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
    if (config.verb === "get" && config.boosted && config.path) {
      window.location.assign(config.path);
    } else if (status) {
      status.hidden = false;
    }
  });
  if (status) {
    status.setAttribute("tabindex", "-1");
  }
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

  if (!("serviceWorker" in navigator) || !app || !app.dataset.serviceWorker) {
    return;
  }
  navigator.serviceWorker.register(app.dataset.serviceWorker, { scope: "/" }).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function (registration) {
    var worker = registration.active;
    if (!worker) {
      return;
    }
    if (app.hasAttribute("data-signed-out")) {
      worker.postMessage({ type: "forget" });
    } else if (document.getElementById("offline-save")) {
      worker.postMessage({ type: "save" });
    }
  }).catch(function () {
    // Without a service worker Samplan still works; it only cannot be read offline.
  });
})();
