/* Problem bank, task page: the «Справка» and «Показать ответ» buttons.
 *
 * In the HTML they are links to pages of their own (so they work without JavaScript),
 * and what they show is not in the task page at all. Here each link becomes a
 * disclosure button that fetches its content as an HTML fragment the first time it is
 * pressed, shows it in the panel it controls, and hides or shows it again after that.
 */
(function () {
  "use strict";

  // problems.views.browsing answers with a fragment when it sees this header.
  var FRAGMENT_HEADERS = { "X-Requested-With": "fetch" };

  function createStatusRegion() {
    var region = document.createElement("p");
    region.className = "visually-hidden";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    document.body.appendChild(region);
    return region;
  }

  function announce(region, text) {
    // Emptied first, so that the same words said twice are announced twice.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 100);
  }

  function focusHeading(panel) {
    var heading = panel.querySelector("h2, h3") || panel;
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  function showFailure(panel, url) {
    panel.textContent = "";
    var message = document.createElement("p");
    message.className = "reveal-error";
    message.append("Не удалось загрузить. Попробуйте ещё раз или ");
    var link = document.createElement("a");
    link.href = url;
    link.textContent = "откройте отдельной страницей";
    message.append(link, ".");
    panel.append(message);
    panel.hidden = false;
  }

  function enhance(link, status) {
    var panel = document.getElementById(link.dataset.revealTarget);
    if (!panel) {
      return;
    }
    var url = link.href;
    var button = document.createElement("button");
    button.type = "button";
    button.className = link.className + " reveal-button";
    button.append.apply(button, Array.prototype.slice.call(link.childNodes));
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", panel.id);
    link.replaceWith(button);

    var loaded = false;
    var loading = false;

    function expand() {
      panel.hidden = false;
      button.setAttribute("aria-expanded", "true");
      focusHeading(panel);
      announce(status, link.dataset.revealShown || "");
    }

    button.addEventListener("click", function () {
      if (loading) {
        return;
      }
      if (button.getAttribute("aria-expanded") === "true") {
        panel.hidden = true;
        button.setAttribute("aria-expanded", "false");
        announce(status, link.dataset.revealHidden || "");
        return;
      }
      if (loaded) {
        expand();
        return;
      }
      loading = true;
      button.setAttribute("aria-busy", "true");
      announce(status, "Загрузка…");
      fetch(url, { headers: FRAGMENT_HEADERS, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.text();
        })
        .then(function (fragment) {
          // Our own server-rendered fragment; rich text in it is sanitised on save.
          panel.innerHTML = fragment;
          loaded = true;
          expand();
        })
        .catch(function () {
          showFailure(panel, url);
          announce(status, "Не удалось загрузить.");
        })
        .finally(function () {
          loading = false;
          button.removeAttribute("aria-busy");
        });
    });
  }

  function init() {
    var links = document.querySelectorAll("a[data-reveal-target]");
    if (!links.length || !window.fetch) {
      return;
    }
    var status = createStatusRegion();
    links.forEach(function (link) {
      enhance(link, status);
    });
  }

  init();
})();
