// Destructive actions ask first: a form with data-confirm="…" is sent only when the person agrees.
// A static script (the CSP allows no inline script); without JavaScript the form is sent as before.
document.addEventListener(
  "submit",
  function (event) {
    var form = event.target;
    var message = form && form.getAttribute ? form.getAttribute("data-confirm") : null;
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true
);
