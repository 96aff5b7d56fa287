/*
 * A class assignment's page (problems/assignments/detail.html): «Скопировать код» and
 * «Скопировать ссылку» put the code or the link on the clipboard. Without JavaScript (or a
 * clipboard) the buttons stay hidden: the code is on the page and the link in a field.
 */
(function () {
  "use strict";

  function textOf(element) {
    return element.value !== undefined && element.tagName === "INPUT" ? element.value : element.textContent.trim();
  }

  function init() {
    if (!navigator.clipboard) return;
    var status = document.querySelector("[data-copy-status]");
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(textOf(source)).then(function () {
          if (status) status.textContent = "Скопировано: " + textOf(source);
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
