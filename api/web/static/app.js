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

  // Copy the motivering or the text to the person: the paragraphs joined back into the text as written
  // (a heading and its lines one per line, a blank line between paragraphs). The status next to the
  // button (aria-live) says "Kopierad" and is cleared after a few seconds.
  function textOf(target) {
    return Array.prototype.map.call(target.querySelectorAll(".paragraph"), function (paragraph) {
      return Array.prototype.map.call(paragraph.children, function (line) { return line.textContent; }).join("\n");
    }).join("\n\n");
  }
  function copyText(text, button) {
    if (navigator.clipboard && window.isSecureContext) { return navigator.clipboard.writeText(text); }
    // Served over plain HTTP to another host there is no clipboard API: copy through a selected textarea.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "copy-buffer";
      document.body.appendChild(area);
      area.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      document.body.removeChild(area);
      button.focus();
      if (copied) { resolve(); } else { reject(); }
    });
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-status"));
    if (!target || !status) { return; }
    var timer = null;
    function say(message) {
      clearTimeout(timer);
      status.textContent = message;
      timer = setTimeout(function () { status.textContent = ""; }, 4000);
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(textOf(target), button).then(function () { say("Kopierad"); },
                                            function () { say("Kunde inte kopiera. Markera texten och kopiera den."); });
    });
  });

  // Move focus to the error summary or the result after a submit.
  var focusTarget = document.getElementById("error-summary") || document.getElementById("result");
  if (focusTarget) { focusTarget.focus(); }
})();
