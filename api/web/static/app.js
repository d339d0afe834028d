// Progressive enhancement only: the page works without JavaScript.
(function () {
  "use strict";
  // Show only the fields that can apply: the benefit fields of the chosen benefit type, the employed
  // person's questions for an employed person; a field the rulebook in force never reads stays hidden
  // (the server decided that). Hidden fields are disabled so that they are not submitted.
  var type = document.getElementById("benefit-type");
  var employment = document.getElementById("person-employment");
  function syncFields() {
    var chosen = type ? type.value : "";
    var employed = employment ? employment.value : "";
    document.querySelectorAll("[data-benefit-types], [data-employment], [data-rulebook-hidden]").forEach(function (row) {
      var types = row.getAttribute("data-benefit-types");
      var needs = row.getAttribute("data-employment");
      var show = !row.hasAttribute("data-rulebook-hidden") &&
        (!types || !chosen || types.split(" ").indexOf(chosen) >= 0) &&
        (!needs || !employed || employed === needs);
      row.hidden = !show;
      row.querySelectorAll("input, select").forEach(function (input) { input.disabled = !show; });
    });
  }
  if (type) { type.addEventListener("change", syncFields); }
  if (employment) { employment.addEventListener("change", syncFields); }
  syncFields();

  document.querySelectorAll("[data-js-only]").forEach(function (element) { element.hidden = false; });

  // A link to a field (error summary, the summary's questions) moves focus to the field itself
  // (a yes/no question: its checked radio button, else the first).
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-focus]") : null;
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("data-focus"));
    if (!target) { return; }
    var control = target.matches("input, select, textarea") ? target :
      (target.querySelector("input:checked") || target.querySelector("input, select, textarea"));
    event.preventDefault();
    target.scrollIntoView({block: "center"});
    (control || target).focus({preventScroll: true});
  });

  // Spara ärendet / Öppna ärende: the form's values as a JSON file, in the browser only (nothing is sent).
  var form = document.getElementById("case-form");
  var fileStatus = document.getElementById("case-file-status");
  function formValues() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.disabled) { return; }
      if (input.type === "radio" && !input.checked) { return; }
      values[input.name] = input.value;
    });
    return values;
  }
  var save = document.getElementById("save-case");
  if (save && form) {
    save.addEventListener("click", function () {
      var values = formValues();
      var blob = new Blob([JSON.stringify({format: "bedomning-formular", version: 1, values: values}, null, 2)],
                          {type: "application/json"});
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "arende-" + (values.as_of || "utan-datum") + ".json";
      document.body.appendChild(link);
      link.click();
      document.body.removeChild(link);
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      fileStatus.textContent = "Ärendet sparades som " + link.download + ".";
    });
  }
  var open = document.getElementById("open-case");
  if (open && form) {
    open.addEventListener("change", function () {
      var file = open.files && open.files[0];
      if (!file) { return; }
      file.text().then(function (text) {
        var values = JSON.parse(text).values;
        if (!values || typeof values !== "object") { throw new Error("format"); }
        Array.prototype.forEach.call(form.elements, function (input) {
          if (!input.name || input.type === "file") { return; }
          var value = Object.prototype.hasOwnProperty.call(values, input.name) ? String(values[input.name]) : "";
          if (input.type === "radio") {
            input.checked = value ? input.value === value : input.value === "vet_ej";
          } else {
            input.value = value;
          }
        });
        syncFields();
        fileStatus.textContent = "Ärendet öppnades. Tryck Bedöm för att bedöma det.";
      }).catch(function () {
        fileStatus.textContent = "Filen kunde inte läsas. Välj en fil som sparats med Spara ärendet.";
      });
      open.value = "";
    });
  }

  // Skriv ut; the printing time on paper is the time of printing.
  var printButton = document.getElementById("print-page");
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }
  var printedAt = document.getElementById("printed-at");
  window.addEventListener("beforeprint", function () {
    if (!printedAt) { return; }
    var now = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    printedAt.textContent = "den " + now.toLocaleDateString("sv-SE", {day: "numeric", month: "long", year: "numeric"}) +
      " kl. " + two(now.getHours()) + "." + two(now.getMinutes());
  });

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

  // After a submit: focus (and scroll) to the error summary, or to the summary's heading.
  var focusTarget = document.getElementById("error-summary") || document.getElementById("summary-heading");
  if (focusTarget) { focusTarget.scrollIntoView({block: "start"}); focusTarget.focus({preventScroll: true}); }
})();
