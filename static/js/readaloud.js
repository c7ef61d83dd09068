// "Läs upp": read the page's main content aloud with the browser's speech synthesis.
// Progressive enhancement: the button stays hidden where speech synthesis is missing.
(function () {
  "use strict";
  var button = document.getElementById("read-aloud");
  if (!button || !("speechSynthesis" in window)) {
    return;
  }
  var label = button.innerHTML;
  button.hidden = false;
  button.addEventListener("click", function () {
    if (window.speechSynthesis.speaking) {
      window.speechSynthesis.cancel();
      button.innerHTML = label;
      return;
    }
    var main = document.getElementById("main");
    var utterance = new SpeechSynthesisUtterance(main ? main.innerText : document.body.innerText);
    utterance.lang = document.documentElement.lang || "sv";
    utterance.rate = 0.9;
    utterance.onend = function () {
      button.innerHTML = label;
    };
    button.textContent = button.dataset.stopLabel;
    window.speechSynthesis.speak(utterance);
  });
})();
