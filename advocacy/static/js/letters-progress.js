// Progress of a letter batch: polls the JSON status endpoint and updates the bar; reloads once finished.
(function () {
  "use strict";
  var box = document.querySelector(".batch-progress[data-status-url]");
  if (!box || box.getAttribute("data-finished") === "yes") { return; }
  var bar = box.querySelector("progress");
  var label = box.querySelector(".batch-status");
  function poll() {
    fetch(box.getAttribute("data-status-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (s) {
        bar.max = s.total; bar.value = s.settled; bar.textContent = s.percent + "%";
        label.textContent = s.status + ": " + s.done + " of " + s.total + " made" + (s.failed ? ", " + s.failed + " failed" : "");
        if (s.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
