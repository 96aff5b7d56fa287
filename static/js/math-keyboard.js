/*
 * Virtual keyboard of math symbols (spec 002: «виртуальная клавиатура»). Ours, no library.
 *
 * Writes into plain fields marked `data-math-keyboard` (inputs, textareas) and into
 * CKEditor 4 editors, at the cursor of the field focused last. One keyboard per page: in
 * the element marked `data-math-keyboard-panel`, or else at the top of the form that holds
 * the first such field (the admin's forms). Nothing appears on a page without fields.
 *
 * Keyboard use: the keys form one toolbar — Tab reaches it, the arrows, Home and End move
 * between keys, Enter or Space inserts. A symbol inserted from the keyboard keeps the focus
 * on the key (several symbols in a row) and is announced; a click returns to the field.
 */
(function () {
  "use strict";

  var KEYS = [
    ["√", "Вставить знак корня"],
    ["π", "Вставить число пи"],
    ["≤", "Вставить знак «меньше или равно»"],
    ["≥", "Вставить знак «больше или равно»"],
    ["≠", "Вставить знак «не равно»"],
    ["≈", "Вставить знак «приблизительно равно»"],
    ["∞", "Вставить знак бесконечности"],
    ["∑", "Вставить знак суммы"],
    ["∫", "Вставить знак интеграла"],
    ["°", "Вставить знак градуса"],
    ["²", "Вставить вторую степень"],
    ["³", "Вставить третью степень"],
    ["½", "Вставить одну вторую"],
    ["¼", "Вставить одну четвёртую"],
    ["×", "Вставить знак умножения"],
    ["÷", "Вставить знак деления"],
    ["±", "Вставить знак «плюс-минус»"],
    ["∠", "Вставить знак угла"],
    ["⊥", "Вставить знак перпендикулярности"],
    ["∥", "Вставить знак параллельности"],
    ["△", "Вставить знак треугольника"],
    ["α", "Вставить греческую букву альфа"],
    ["β", "Вставить греческую букву бета"],
    ["γ", "Вставить греческую букву гамма"],
    ["δ", "Вставить греческую букву дельта"],
    ["λ", "Вставить греческую букву лямбда"],
    ["μ", "Вставить греческую букву мю"],
    ["φ", "Вставить греческую букву фи"],
    ["ω", "Вставить греческую букву омега"],
    ["Ω", "Вставить заглавную греческую букву омега"],
    ["→", "Вставить стрелку «следует»"],
    ["∈", "Вставить знак «принадлежит»"],
    ["∉", "Вставить знак «не принадлежит»"],
    ["⊂", "Вставить знак подмножества"],
    ["∪", "Вставить знак объединения"],
    ["∩", "Вставить знак пересечения"],
    ["∅", "Вставить знак пустого множества"],
    ["ℝ", "Вставить знак множества действительных чисел"],
    ["ℕ", "Вставить знак множества натуральных чисел"],
  ];
  var FIELD_SELECTOR = "input[data-math-keyboard], textarea[data-math-keyboard]";
  var EDITOR_SELECTOR = "textarea[data-type=ckeditortype]";

  // The field focused last: {field: element} or {editor: CKEDITOR.editor}.
  var target = null;
  var status = null;

  // Base layout, so that the keyboard works where the site's stylesheet is absent (the
  // admin); :where() keeps it at zero specificity, so site.css restyles it freely.
  var BASE_STYLE =
    ":where(.math-keyboard){position:sticky;top:0;z-index:5;margin:0 0 1rem;padding:.5rem;" +
    "border:1px solid var(--border-color,#ccc);border-radius:6px;background:var(--body-bg,#fff)}" +
    ":where(.math-keyboard-keys){display:flex;flex-wrap:wrap;gap:.25rem}" +
    ":where(.math-keyboard-key){min-width:2.25rem;min-height:2.25rem;padding:.2rem .4rem;font-size:1.1rem;" +
    "line-height:1;cursor:pointer;border:1px solid var(--border-color,#999);border-radius:4px;" +
    "background:var(--darkened-bg,#f5f5f5);color:var(--body-fg,#111)}" +
    ":where(.math-keyboard-head){display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;margin-bottom:.4rem}" +
    ":where(.math-keyboard-title){margin:0;font-weight:600}" +
    ":where(.math-keyboard-hint){margin:0;font-size:.85rem;opacity:.8}" +
    ":where(.math-keyboard-status){position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}";

  function addBaseStyle() {
    if (document.getElementById("math-keyboard-style")) return;
    // The site's own pages have site.css (it defines --line) and a policy that refuses a
    // <style> element (style-src 'self'): only the admin, which has neither, needs this.
    if (window.getComputedStyle(document.documentElement).getPropertyValue("--line")) return;
    var style = document.createElement("style");
    style.id = "math-keyboard-style";
    style.textContent = BASE_STYLE;
    document.head.insertBefore(style, document.head.firstChild);
  }

  // --- where the symbol goes ------------------------------------------------------------

  function isField(element) {
    return element && element.matches && element.matches(FIELD_SELECTOR) && !element.disabled && !element.readOnly;
  }

  function insertIntoField(field, text) {
    var start = field.selectionStart;
    var end = field.selectionEnd;
    if (typeof start !== "number") {
      field.value += text; // a field type without a cursor position
    } else {
      field.setRangeText(text, start, end, "end");
    }
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function insertIntoEditor(editor, text) {
    if (editor.mode === "wysiwyg") {
      editor.insertText(text); // CKEditor focuses itself and restores the editor's cursor
      return;
    }
    var source = editor.container && editor.container.$.querySelector("textarea");
    if (source) insertIntoField(source, text); // the «Источник» (HTML source) mode
  }

  function firstTarget(scope) {
    var field = scope.querySelector(FIELD_SELECTOR);
    if (field) return { field: field };
    if (window.CKEDITOR) {
      for (var name in window.CKEDITOR.instances) {
        return { editor: window.CKEDITOR.instances[name] };
      }
    }
    return null;
  }

  function insert(text, fromKeyboard, key) {
    var chosen = target || firstTarget(document);
    if (!chosen) {
      announce("Сначала выберите поле, куда вставить знак.");
      return;
    }
    if (chosen.editor) {
      insertIntoEditor(chosen.editor, text);
    } else {
      insertIntoField(chosen.field, text);
      if (!fromKeyboard) chosen.field.focus();
    }
    if (fromKeyboard) {
      key.focus(); // stay on the keyboard for the next symbol
      announce("Вставлено: " + text);
    }
  }

  function announce(message) {
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  // --- following the focus --------------------------------------------------------------

  document.addEventListener("focusin", function (event) {
    if (isField(event.target)) target = { field: event.target };
  });

  function followEditor(editor) {
    if (editor._mathKeyboardFollowed) return;
    editor._mathKeyboardFollowed = true;
    editor.on("focus", function () {
      target = { editor: editor };
    });
    editor.on("destroy", function () {
      if (target && target.editor === editor) target = null;
    });
  }

  function followEditors(attempt) {
    var CKEDITOR = window.CKEDITOR;
    if (!CKEDITOR) {
      // ckeditor.js may come after this script; editors start once it has loaded.
      if (attempt < 50) {
        window.setTimeout(function () {
          followEditors(attempt + 1);
        }, 100);
      }
      return;
    }
    for (var name in CKEDITOR.instances) followEditor(CKEDITOR.instances[name]);
    CKEDITOR.on("instanceCreated", function (event) {
      followEditor(event.editor);
    });
  }

  // --- the keyboard ---------------------------------------------------------------------

  function buildKeyboard() {
    var panel = document.createElement("div");
    panel.className = "math-keyboard";

    var head = document.createElement("div");
    head.className = "math-keyboard-head";
    var title = document.createElement("p");
    title.className = "math-keyboard-title";
    title.id = "math-keyboard-title";
    title.textContent = "Математические знаки";
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "math-keyboard-toggle";
    toggle.setAttribute("aria-expanded", "true");
    toggle.setAttribute("aria-controls", "math-keyboard-keys");
    toggle.textContent = "Скрыть";
    var hint = document.createElement("p");
    hint.className = "math-keyboard-hint";
    hint.textContent = "Знак встанет туда, где стоит курсор в последнем выбранном поле. Стрелки — выбор знака.";
    head.append(title, toggle, hint);

    var keys = document.createElement("div");
    keys.className = "math-keyboard-keys";
    keys.id = "math-keyboard-keys";
    keys.setAttribute("role", "toolbar");
    keys.setAttribute("aria-labelledby", "math-keyboard-title");
    KEYS.forEach(function (entry, index) {
      var key = document.createElement("button");
      key.type = "button";
      key.className = "math-keyboard-key";
      key.textContent = entry[0];
      key.setAttribute("aria-label", entry[1]);
      key.title = entry[1];
      key.dataset.symbol = entry[0];
      key.tabIndex = index === 0 ? 0 : -1; // one tab stop; the arrows move inside
      keys.appendChild(key);
    });

    status = document.createElement("p");
    status.className = "math-keyboard-status visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    panel.append(head, keys, status);

    // A click must not take the focus (and the cursor) away from the field being edited.
    keys.addEventListener("mousedown", function (event) {
      if (event.target.closest(".math-keyboard-key")) event.preventDefault();
    });
    keys.addEventListener("click", function (event) {
      var key = event.target.closest(".math-keyboard-key");
      if (!key) return;
      // detail is 0 when Enter or Space pressed the button, the count of clicks for a mouse.
      insert(key.dataset.symbol, event.detail === 0, key);
    });
    keys.addEventListener("keydown", function (event) {
      var all = Array.prototype.slice.call(keys.querySelectorAll(".math-keyboard-key"));
      var index = all.indexOf(document.activeElement);
      if (index < 0) return;
      var next = {
        ArrowRight: index + 1,
        ArrowDown: index + 1,
        ArrowLeft: index - 1,
        ArrowUp: index - 1,
        Home: 0,
        End: all.length - 1,
      }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      next = (next + all.length) % all.length;
      all[index].tabIndex = -1;
      all[next].tabIndex = 0;
      all[next].focus();
    });
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      toggle.textContent = open ? "Скрыть" : "Показать";
      keys.hidden = !open;
    });
    return panel;
  }

  function placeKeyboard() {
    var firstField = document.querySelector(FIELD_SELECTOR) || document.querySelector(EDITOR_SELECTOR);
    if (!firstField || document.querySelector(".math-keyboard")) return;
    var host = document.querySelector("[data-math-keyboard-panel]");
    var keyboard = buildKeyboard();
    if (host) {
      host.appendChild(keyboard);
      return;
    }
    var form = firstField.form || firstField.closest("form");
    if (!form) return;
    form.insertBefore(keyboard, form.firstChild);
  }

  function start() {
    addBaseStyle();
    placeKeyboard();
    followEditors(0);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
