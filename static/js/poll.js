// Polling without waste: elements with data-poll send back the ETag of their last answer, so an
// unchanged answer is an empty 304 (which htmx is configured not to swap). Polls are marked
// passive, so they do not keep an idle session alive.
(function () {
  "use strict";
  var etags = {};
  document.addEventListener("htmx:configRequest", function (event) {
    var element = event.detail.elt;
    if (!element.hasAttribute("data-poll")) {
      return;
    }
    event.detail.headers["X-Samplan-Passive"] = "1";
    var tag = etags[event.detail.path];
    if (tag) {
      event.detail.headers["If-None-Match"] = tag;
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    // A failed poll changes nothing on the page: an error, or an answer from another address
    // than the one asked (signed out: the sign-in page, which must not land inside the menu).
    var xhr = event.detail.xhr;
    if (!event.detail.elt.hasAttribute("data-poll")) {
      return;
    }
    var asked = event.detail.pathInfo.requestPath.split("?")[0];
    var answered = xhr.responseURL ? new URL(xhr.responseURL).pathname : asked;
    if (xhr.status >= 400 || answered !== asked) {
      event.detail.shouldSwap = false;
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var element = event.detail.elt;
    var xhr = event.detail.xhr;
    if (element.hasAttribute("data-poll") && xhr && xhr.getResponseHeader("ETag")) {
      etags[event.detail.pathInfo.requestPath] = xhr.getResponseHeader("ETag");
    }
  });
})();
