// Letter template editor: the preview is the letter. The unsaved fields are posted (with the form's CSRF token)
// to the live-preview endpoint a moment after each keystroke; the letter's HTML (the PDF's sandboxed render and
// stylesheet) is shown in a page-sized frame, or a template error with its line. Merge-field buttons insert the
// field at the cursor. A static script: the CSP allows no inline script.
(function () {
  var form = document.getElementById("template-form");
  var frame = document.getElementById("letter-preview");
  if (!form || !frame) return;
  var url = form.getAttribute("data-preview-url");
  var status = document.getElementById("preview-status");
  var errorBox = document.getElementById("preview-error");
  var picker = document.querySelectorAll("[data-preview-option]");
  var FIELD_IDS = { body: "body", "RE line": "re_line", closing: "closing", "signature block": "signature_block" };
  var timer = null;
  var sent = 0;
  var lastText = document.getElementById("body");

  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    form.querySelectorAll("[aria-invalid='true'][data-preview-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("data-preview-invalid");
    });
  }

  function selectLine(field, line) {
    var lines = field.value.split("\n");
    var start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    field.focus();
    field.setSelectionRange(start, start + (lines[line - 1] || "").length);
  }

  function showError(data) {
    var field = document.getElementById(FIELD_IDS[data.field] || "body");
    errorBox.textContent = "";
    var message = document.createElement("span");
    message.textContent = data.error;
    errorBox.appendChild(message);
    if (field && data.line) {
      var quoted = field.value.split("\n")[data.line - 1];
      if (quoted !== undefined) {
        var code = document.createElement("code");
        code.textContent = quoted;
        errorBox.appendChild(document.createTextNode(" — line " + data.line + ": "));
        errorBox.appendChild(code);
      }
      var go = document.createElement("button");
      go.type = "button";
      go.className = "button";
      go.textContent = "Go to line " + data.line;
      go.addEventListener("click", function () { selectLine(field, data.line); });
      errorBox.appendChild(document.createTextNode(" "));
      errorBox.appendChild(go);
    }
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("data-preview-invalid", "1");
      field.parentNode.insertBefore(errorBox, field.nextSibling);
    }
    errorBox.hidden = false;
  }

  function refresh() {
    var data = new FormData(form);
    data.delete("logo");
    picker.forEach(function (el) { data.set(el.name, el.value); });
    var mine = ++sent;
    status.textContent = "Updating the preview…";
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (mine !== sent) return; // a newer preview is on its way
        if (result.ok) {
          clearError();
          frame.srcdoc = result.body.html;
          status.textContent = "Preview up to date.";
        } else {
          showError(result.body);
          status.textContent = "The preview shows the last letter that rendered.";
        }
      })
      .catch(function () {
        if (mine === sent) status.textContent = "The preview could not be updated.";
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  picker.forEach(function (el) { el.addEventListener("change", refresh); });
  form.addEventListener("focusin", function (event) {
    var el = event.target;
    if (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type === "text")) lastText = el;
  });

  document.querySelectorAll("[data-insert]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = lastText;
      var text = "{{ " + button.getAttribute("data-insert") + " }}";
      var start = field.selectionStart, end = field.selectionEnd;
      field.setRangeText(text, start, end, "end");
      field.focus();
      later();
    });
  });

  refresh();
})();
