/* Problem bank, task page: the «Справка» and «Показать ответ» buttons, and «Проверить».
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

  // «Ваш ответ» → «Проверить»: the verdict (problems.views.solving.task_check answers a
  // fetch with JSON) is written into the form's status region, read out as it appears.
  // Without this script the form posts and the page comes back with the verdict.
  function showVerdict(result, text, state) {
    result.textContent = "";
    result.className = "answer-check-result answer-check-" + state;
    window.setTimeout(function () {
      result.textContent = text;
    }, 50);
  }

  function verdictText(data) {
    if (data.correct === null || data.correct === undefined) {
      return data.message || data.hint || "Ответ не понят.";
    }
    var text = data.correct ? "Верно" : "Неверно";
    if (data.understood_as) {
      text += ". Ответ понят как: " + data.understood_as;
    }
    return text;
  }

  function enhanceAnswerCheck(form) {
    var result = form.querySelector("[data-answer-check-result]");
    var button = form.querySelector("button[type=submit]");
    var busy = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) {
        return;
      }
      busy = true;
      button.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: FRAGMENT_HEADERS,
        credentials: "same-origin",
      })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (type.indexOf("application/json") !== 0) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          var state = data.correct === true ? "right" : data.correct === false ? "wrong" : "unclear";
          showVerdict(result, verdictText(data), state);
        })
        .catch(function () {
          showVerdict(result, "Не удалось проверить ответ. Обновите страницу и попробуйте ещё раз.", "unclear");
        })
        .finally(function () {
          busy = false;
          button.removeAttribute("aria-busy");
        });
    });
  }

  function init() {
    if (!window.fetch) {
      return;
    }
    document.querySelectorAll("form[data-answer-check]").forEach(enhanceAnswerCheck);
    var links = document.querySelectorAll("a[data-reveal-target]");
    if (!links.length) {
      return;
    }
    var status = createStatusRegion();
    links.forEach(function (link) {
      enhance(link, status);
    });
  }

  init();
})();
