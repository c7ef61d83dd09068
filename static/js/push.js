// "Få aviseringar på den här telefonen": subscribe this browser to Web Push (VAPID) and send
// the subscription to Samplan. Shown only where the browser can do it.
// Loaded on every page and bound when the box appears, also after an in-app link.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !("PushManager" in window) ||
      !("Notification" in window)) {
    return;
  }

  function bind() {
  var box = document.getElementById("push");
  if (!box || box.dataset.bound) {
    return;
  }
  box.dataset.bound = "1";
  var button = document.getElementById("push-on");
  var done = document.getElementById("push-done");
  var failed = document.getElementById("push-failed");
  var app = document.getElementById("app");
  var csrf = JSON.parse(app.getAttribute("hx-headers") || "{}")["X-CSRFToken"];

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function fail() {
    failed.hidden = false;
    done.hidden = true;
  }

  box.hidden = false;
  button.addEventListener("click", function () {
    failed.hidden = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        throw new Error(permission);
      }
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(box.dataset.key),
      });
    }).then(function (subscription) {
      return fetch(box.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(subscription.toJSON()),
      });
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      done.hidden = false;
      button.hidden = true;
      window.location.reload();
    }).catch(fail);
  });
  }

  bind();
  document.addEventListener("htmx:load", bind);
})();
