// Warn two minutes before the idle sign-out, with a "stay signed in" button (WCAG 2.2.1).
// Progressive enhancement: without this script the server still signs the person out.
// Every element is looked up when it is needed: htmx replaces the page's body on each in-app
// link, so a node found at start-up is no longer in the document after the first click.
(function () {
  "use strict";
  var warnTimer;
  var endTimer;

  function app() {
    return document.getElementById("app");
  }

  function dialog() {
    var node = document.getElementById("idle-warning");
    return node && typeof node.showModal === "function" ? node : null;
  }

  function idleSeconds() {
    var node = app();
    return Number(node && node.dataset.idleSeconds) || 0;
  }

  function signIn() {
    window.location.assign(app().dataset.signInUrl);
  }

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    var idle = idleSeconds();
    if (!idle) {
      return;
    }
    warnTimer = setTimeout(function () {
      var node = dialog();
      if (node && !node.open) {
        node.showModal();
      }
    }, Math.max(idle - 120, 1) * 1000);
    endTimer = setTimeout(signIn, idle * 1000);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var node = dialog();
    if (!node || !node.contains(form)) {
      return;
    }
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
    }).then(function (response) {
      if (response.ok) {
        node.close();
        schedule();
      } else {
        signIn();
      }
    }, signIn);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.elt.hasAttribute("data-poll")) {
      schedule();
    }
  });
  schedule();
})();
