// «Добавить ещё решение» on the task suggestion and edit pages: a copy of the formset's
// empty form, with its own rich-text editor. Loaded with `defer`, so the form is parsed.
(function () {
  var button = document.querySelector("[data-add-solution]");
  var template = document.getElementById("solution-template");
  var total = document.getElementById("id_solutions-TOTAL_FORMS");
  var list = document.querySelector("[data-solution-forms]");
  if (!button || !template || !total || !list) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var fieldset = holder.querySelector("fieldset");
    fieldset.querySelector("legend").textContent = "Решение " + (index + 1);
    list.appendChild(fieldset);
    total.value = String(index + 1);
    if (window.CKEDITOR) {
      fieldset.querySelectorAll("textarea[data-type=ckeditortype]").forEach(function (textarea) {
        textarea.setAttribute("data-processed", "1");
        window.CKEDITOR.replace(textarea.id, JSON.parse(textarea.getAttribute("data-config")));
      });
    }
    var first = fieldset.querySelector("input:not([type=hidden])");
    if (first) first.focus();
  });
})();
