// A live count under a text's limit (see the char_count macro): how many characters are left,
// or how many too many, as the person writes. Bound by delegation, so it survives htmx swaps.
(function () {
  "use strict";
  // Made on first use: building a number format costs the page's first paint time on a phone.
  var format = null;

  function number(n) {
    if (!format) {
      format = new Intl.NumberFormat(document.documentElement.lang || "sv");
    }
    return format.format(n);
  }

  function counterFor(field) {
    return field.id ? document.getElementById(field.id + "-count") : null;
  }

  function update(field) {
    var counter = counterFor(field);
    if (!counter) {
      return;
    }
    var max = Number(counter.dataset.max);
    var left = max - field.value.length;
    var text;
    if (left < 0) {
      text = counter.dataset.over.replace("{n}", number(-left));
    } else {
      text = (left === 1 ? counter.dataset.leftOne : counter.dataset.leftMany)
        .replace("{n}", number(left));
    }
    counter.textContent = text;
    counter.hidden = false;
    counter.classList.toggle("char-count--over", left < 0);
    // Heard only when it matters: close to the limit or past it.
    if (left < max / 10) {
      counter.setAttribute("aria-live", "polite");
    } else {
      counter.removeAttribute("aria-live");
    }
  }

  function all() {
    document.querySelectorAll("[data-count-for]").forEach(function (counter) {
      var field = document.getElementById(counter.dataset.countFor);
      if (field) {
        update(field);
      }
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea, input")) {
      update(event.target);
    }
  });
  // Counts wait until the page is idle: they are not needed before someone types, and a phone
  // shows the page sooner without them.
  function soon() {
    (window.requestIdleCallback || window.setTimeout)(all);
  }

  document.addEventListener("htmx:load", soon);
  soon();
})();
