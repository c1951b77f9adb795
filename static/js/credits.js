// Credits pages: reload the statements list while a statement is being prepared.
"use strict";
document.querySelectorAll("[data-refresh-seconds]").forEach((el) => {
  const seconds = Number(el.dataset.refreshSeconds) || 5;
  window.setTimeout(() => window.location.reload(), seconds * 1000);
});
