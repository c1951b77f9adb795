// Live SLA countdowns of the queue and the ticket page. The server renders each badge
// with the remaining SLA time (seconds) and, when the clock is ticking now, until when it
// ticks (end of today's business hours, epoch seconds); this only counts down from there.
"use strict";
(function () {
  const badges = document.querySelectorAll("[data-sla][data-ticking-until]");
  if (!badges.length) return;
  const loadedAt = Date.now();
  // One polite live region for the page: it speaks a badge only when its state changes
  // (on time -> warning -> overdue), never on each count-down step (issue 21).
  const region = document.createElement("div");
  region.className = "visually-hidden";
  region.setAttribute("aria-live", "polite");
  region.setAttribute("data-sla-announce", "");
  document.body.append(region);
  const classes = {
    ok: "text-bg-success",
    warning: "text-bg-warning",
    breached: "text-bg-danger",
  };
  const format = (seconds) => {
    const minutes = Math.floor(Math.abs(seconds) / 60);
    return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
  };
  function tick() {
    const now = Date.now();
    badges.forEach((badge) => {
      const until = Number(badge.dataset.tickingUntil) * 1000;
      const elapsed = (Math.min(now, until) - loadedAt) / 1000;
      if (elapsed <= 0) return;
      const remaining = Number(badge.dataset.remaining) - elapsed;
      let state = "ok";
      if (remaining <= 0) state = "breached";
      else if (remaining <= Number(badge.dataset.warnBelow)) state = "warning";
      const changed = badge.dataset.state !== state;
      Object.values(classes).forEach((css) => badge.classList.remove(css));
      badge.classList.add(classes[state]);
      badge.dataset.state = state;
      const text = badge.querySelector("[data-sla-text]");
      // The state in words too, not only in colour (WCAG 1.4.1).
      text.textContent =
        state === "breached"
          ? `${badge.dataset.labelOverdue} ${format(remaining)}`
          : `${state === "warning" ? badge.dataset.labelWarning : badge.dataset.labelOk} · ${format(remaining)}`;
      if (changed) region.textContent = text.textContent;
    });
  }
  tick();
  window.setInterval(tick, 30000);
})();
