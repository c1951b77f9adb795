// The app's own scripts. Loaded on every page; CSP allows only same-origin scripts.
"use strict";
document.querySelectorAll("[data-confirm]").forEach((el) => {
  el.addEventListener("click", (event) => {
    if (!window.confirm(el.dataset.confirm)) event.preventDefault();
  });
});
// A form that failed: its error summary (templates/bootstrap5/uni_form.html) takes the
// focus, so a screen reader reads it once and the keyboard starts there (issue 21).
const errorSummary = document.querySelector("[data-error-summary]");
if (errorSummary) errorSummary.focus();
