// The app's own scripts. Loaded on every page; CSP allows only same-origin scripts.
"use strict";
document.querySelectorAll("[data-confirm]").forEach((el) => {
  el.addEventListener("click", (event) => {
    if (!window.confirm(el.dataset.confirm)) event.preventDefault();
  });
});
