// After htmx has put a new page or a part of one in place, tell everyone: move focus to where
// reading should go on (the error summary, else the page's heading) and announce the new page
// and any confirmation through a live region, as a full page load would. Polls change nothing.
(function () {
  "use strict";

  function announcer() {
    var node = document.getElementById("announcer");
    if (!node) {
      node = document.createElement("div");
      node.id = "announcer";
      node.className = "visually-hidden";
      node.setAttribute("aria-live", "polite");
      node.setAttribute("aria-atomic", "true");
      document.body.appendChild(node);
    }
    return node;
  }

  // A live region announces changes made after it exists; give it a moment to be seen.
  function announce(text) {
    var node = announcer();
    node.textContent = "";
    if (text) {
      setTimeout(function () {
        node.textContent = text;
      }, 150);
    }
  }

  function focus(node) {
    if (!node) {
      return;
    }
    if (!node.hasAttribute("tabindex")) {
      node.setAttribute("tabindex", "-1");
    }
    node.focus({ preventScroll: false });
  }

  function statusText(root) {
    var parts = [];
    root.querySelectorAll(".notice[role='status'], [data-confirmation]").forEach(function (node) {
      if (!node.hidden && node.textContent.trim()) {
        parts.push(node.textContent.trim());
      }
    });
    return parts.join(" ");
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail;
    var source = detail.elt;
    if (source && source.hasAttribute && source.hasAttribute("data-poll")) {
      return;
    }
    var target = detail.target || document.body;
    var whole = target === document.body || (detail.requestConfig && detail.requestConfig.boosted);
    var root = whole ? document.body : target;
    var errors = root.querySelector(".notice--error");
    if (whole) {
      focus(errors || root.querySelector("[data-confirmation]") ||
        document.querySelector("main h1") || document.getElementById("main"));
      announce([document.title, statusText(root)].filter(Boolean).join(". "));
      return;
    }
    if (errors) {
      focus(errors);
      return;
    }
    var said = statusText(root);
    if (said) {
      announce(said);
    }
  });
})();
