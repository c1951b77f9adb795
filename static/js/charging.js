// The running timer of the ticket page. The server renders the seconds elapsed since the
// timer started (it keeps the timer, so a reload loses nothing); this only counts up.
"use strict";
(function () {
  const timers = document.querySelectorAll("[data-timer][data-elapsed]");
  if (!timers.length) return;
  const loadedAt = Date.now();
  const pad = (n) => String(n).padStart(2, "0");
  // The elapsed time in words in the page's language, for people who hear it: "5 minutos",
  // "1 hour and 5 minutes" (the browser's own Intl data; a bare "0:05" is read as a ratio
  // or a clock time).
  const lang = document.documentElement.lang || "en";
  const unit = (n, name) =>
    new Intl.NumberFormat(lang, { style: "unit", unit: name, unitDisplay: "long" }).format(n);
  const list = new Intl.ListFormat(lang, { style: "long", type: "conjunction" });
  const inWords = (seconds) => {
    const minutes = Math.floor(seconds / 60);
    const parts = minutes >= 60 ? [unit(Math.floor(minutes / 60), "hour")] : [];
    if (minutes % 60 || minutes < 60) parts.push(unit(minutes % 60, "minute"));
    return list.format(parts);
  };
  // The visible clock changes every second and is role=timer (not announced); a polite
  // live region beside it says the elapsed time in words once a minute (issue 21, WCAG
  // 4.1.3), with the timer's label from the page (data-say, translated: "Timer: {time}").
  const regions = new Map();
  timers.forEach((timer) => {
    timer.setAttribute("role", "timer");
    timer.setAttribute("aria-live", "off");
    const region = document.createElement("span");
    region.className = "visually-hidden";
    region.setAttribute("aria-live", "polite");
    region.setAttribute("data-timer-announce", "");
    timer.after(region);
    regions.set(timer, region);
  });
  function tick() {
    timers.forEach((timer) => {
      const seconds = Number(timer.dataset.elapsed) + Math.floor((Date.now() - loadedAt) / 1000);
      const text = timer.querySelector("[data-timer-text]");
      const minutes = `${Math.floor(seconds / 3600)}:${pad(Math.floor((seconds % 3600) / 60))}`;
      text.textContent = `${minutes}:${pad(seconds % 60)}`;
      const region = regions.get(timer);
      if (region.dataset.minute !== minutes) {
        region.dataset.minute = minutes;
        const words = inWords(seconds);
        region.textContent = timer.dataset.say ? timer.dataset.say.replace("{time}", words) : words;
      }
    });
  }
  tick();
  window.setInterval(tick, 1000);
})();
