// "Läs upp": read the page's main content aloud with the browser's speech synthesis.
// Progressive enhancement: the button shows only where the browser has a voice for the page's
// language. Text in another language (care's Swedish in an Arabic page, marked with lang) is
// read with a voice for that language, or left out where the browser has none: an Arabic voice
// reading Swedish words helps nobody.
(function () {
  "use strict";
  if (!("speechSynthesis" in window)) {
    return;
  }
  var synth = window.speechSynthesis;

  function base(lang) {
    return (lang || "").toLowerCase().split("-")[0];
  }

  function voiceFor(lang) {
    var wanted = base(lang);
    var voices = synth.getVoices();
    for (var i = 0; i < voices.length; i += 1) {
      if (base(voices[i].lang) === wanted) {
        return voices[i];
      }
    }
    return null;
  }

  function pageLang() {
    return document.documentElement.lang || "sv";
  }

  function button() {
    return document.getElementById("read-aloud");
  }

  function reset(node) {
    if (node && node.dataset.label) {
      node.innerHTML = node.dataset.label;
    }
  }

  function offer() {
    var node = button();
    if (!node) {
      return;
    }
    if (!node.dataset.label) {
      node.dataset.label = node.innerHTML;
    }
    node.hidden = !voiceFor(pageLang());
  }

  // The main content as runs of text, each with the language it is written in.
  function runs(root) {
    var out = [];
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (text) {
        var parent = text.parentElement;
        if (!text.data.trim() || !parent || parent.closest("[hidden], [aria-hidden='true']")) {
          return NodeFilter.FILTER_REJECT;
        }
        return NodeFilter.FILTER_ACCEPT;
      },
    });
    while (walker.nextNode()) {
      var text = walker.currentNode;
      var owner = text.parentElement.closest("[lang]");
      var lang = owner ? owner.getAttribute("lang") : pageLang();
      var last = out[out.length - 1];
      if (last && base(last.lang) === base(lang)) {
        last.text += " " + text.data.trim();
      } else {
        out.push({ lang: lang, text: text.data.trim() });
      }
    }
    return out;
  }

  function read(node) {
    var main = document.getElementById("main") || document.body;
    var queued = 0;
    runs(main).forEach(function (run) {
      var voice = voiceFor(run.lang);
      if (!voice) {
        return;
      }
      var utterance = new SpeechSynthesisUtterance(run.text);
      utterance.lang = voice.lang;
      utterance.voice = voice;
      utterance.rate = 0.9;
      synth.speak(utterance);
      queued += 1;
    });
    if (!queued) {
      return;
    }
    node.textContent = node.dataset.stopLabel;
    var poll = setInterval(function () {
      if (!synth.speaking && !synth.pending) {
        clearInterval(poll);
        reset(button());
      }
    }, 500);
  }

  document.addEventListener("click", function (event) {
    var node = event.target.closest ? event.target.closest("#read-aloud") : null;
    if (!node) {
      return;
    }
    if (synth.speaking || synth.pending) {
      synth.cancel();
      reset(node);
      return;
    }
    read(node);
  });
  // Voices often arrive after the page has loaded; a new page arrives with each in-app link.
  synth.addEventListener("voiceschanged", offer);
  document.addEventListener("htmx:load", offer);
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.boosted && synth.speaking) {
      synth.cancel();
    }
  });
  offer();
})();
