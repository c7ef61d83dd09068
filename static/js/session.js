// Warn two minutes before the idle sign-out, with a "stay signed in" button (WCAG 2.2.1).
// Progressive enhancement: without this script the server still signs the person out.
(function () {
  "use strict";
  var body = document.getElementById("app");
  var idle = Number(body && body.dataset.idleSeconds);
  var dialog = document.getElementById("idle-warning");
  if (!idle || !dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var warnAfter = Math.max(idle - 120, 1) * 1000;
  var warnTimer;
  var endTimer;

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(function () {
      if (!dialog.open) {
        dialog.showModal();
      }
    }, warnAfter);
    endTimer = setTimeout(function () {
      window.location.assign(body.dataset.signInUrl);
    }, idle * 1000);
  }

  var form = dialog.querySelector("form");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
    }).then(function (response) {
      if (response.ok) {
        dialog.close();
        schedule();
      } else {
        window.location.assign(body.dataset.signInUrl);
      }
    });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.elt.hasAttribute("data-poll")) {
      schedule();
    }
  });
  schedule();
})();
