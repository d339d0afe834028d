// Progressive enhancement only: the page works without JavaScript.
(function () {
  "use strict";
  // Show only the benefit fields that belong to the chosen benefit type; hidden fields are disabled
  // so that they are not submitted.
  var type = document.getElementById("benefit-type");
  function syncBenefitFields() {
    var chosen = type ? type.value : "";
    document.querySelectorAll("[data-benefit-types]").forEach(function (row) {
      var show = !chosen || row.getAttribute("data-benefit-types").split(" ").indexOf(chosen) >= 0;
      row.hidden = !show;
      row.querySelectorAll("input, select").forEach(function (input) { input.disabled = !show; });
    });
  }
  if (type) { type.addEventListener("change", syncBenefitFields); syncBenefitFields(); }

  // Copy the motivering.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent).then(function () { button.textContent = "Kopierad"; });
    });
  });

  // Move focus to the error summary or the result after a submit.
  var focusTarget = document.getElementById("error-summary") || document.getElementById("result");
  if (focusTarget) { focusTarget.focus(); }
})();
