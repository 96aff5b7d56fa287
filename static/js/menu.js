/* The header's «Меню» button on narrow screens (templates/base.html, static/css/site.css).
 *
 * Without JavaScript the button stays hidden and the navigation is simply shown. Here the
 * button is revealed and the header marked `menu-collapsible`, so that the stylesheet
 * folds the navigation away on a narrow screen until the button opens it. On a wide
 * screen the stylesheet hides the button and shows the navigation whatever its state.
 * Escape closes an open menu and puts the focus back on the button.
 */
(function () {
  "use strict";

  var button = document.querySelector(".menu-toggle");
  var header = document.querySelector(".site-header");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!button || !header || !menu) {
    return;
  }

  function isOpen() {
    return button.getAttribute("aria-expanded") === "true";
  }

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  }

  button.hidden = false;
  header.classList.add("menu-collapsible");
  setOpen(false);

  button.addEventListener("click", function () {
    setOpen(!isOpen());
  });

  document.addEventListener("keydown", function (event) {
    // Only while the button is shown, i.e. the menu is folded away on a narrow screen.
    if (event.key !== "Escape" || !isOpen() || button.offsetParent === null) {
      return;
    }
    var focusInHeader = header.contains(document.activeElement);
    setOpen(false);
    if (focusInHeader) {
      button.focus();
    }
  });
})();
