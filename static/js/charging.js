// The running timer of the ticket page. The server renders the seconds elapsed since the
// timer started (it keeps the timer, so a reload loses nothing); this only counts up.
"use strict";
(function () {
  const timers = document.querySelectorAll("[data-timer][data-elapsed]");
  if (!timers.length) return;
  const loadedAt = Date.now();
  const pad = (n) => String(n).padStart(2, "0");
  function tick() {
    timers.forEach((timer) => {
      const seconds = Number(timer.dataset.elapsed) + Math.floor((Date.now() - loadedAt) / 1000);
      const text = timer.querySelector("[data-timer-text]");
      text.textContent = `${Math.floor(seconds / 3600)}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
    });
  }
  tick();
  window.setInterval(tick, 1000);
})();
