// The reporting progress page updates its figures without a reload: every 30 seconds,
// while the tab is visible, it asks the page's JSON document (data-progress-url) and
// writes each figure into the cell marked with its key (data-cell), the time and the
// count of missing reports as the server words them. A figure with no cell (an area or
// phase deployed since) asks for a reload. A hidden tab asks nothing; it asks at once
// when shown again. Without this script the page shows the figures as they were when
// it loaded, and its Reload link.
(function () {
  "use strict";
  const root = document.querySelector("[data-progress-url]");
  if (!root) {
    return;
  }
  const INTERVAL = 30000;
  const url = root.dataset.progressUrl;
  const at = root.querySelector("[data-progress-at]");
  const missing = document.querySelector("[data-progress-missing]");
  const changed = root.querySelector("[data-progress-changed]");
  const numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);
  let timer = null;
  let asking = false;

  async function refresh() {
    timer = null;
    if (asking) {
      return;
    }
    asking = true;
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) {
        const data = await response.json();
        const shown = new Set();
        for (const cell of root.querySelectorAll("[data-cell]")) {
          const value = data.cells[cell.dataset.cell];
          shown.add(cell.dataset.cell);
          if (value !== undefined) {
            cell.textContent = numbers.format(value);
          }
        }
        if (changed && Object.keys(data.cells).some((key) => !shown.has(key))) {
          changed.hidden = false;
        }
        if (at) {
          at.dateTime = data.at;
          at.textContent = data.at_shown;
        }
        if (missing) {
          missing.textContent = data.missing_shown;
        }
      }
    } finally {
      asking = false;
      schedule();
    }
  }

  function schedule() {
    if (timer === null && document.visibilityState === "visible") {
      timer = window.setTimeout(refresh, INTERVAL);
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      if (timer === null) {
        refresh();
      }
    } else if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
  });

  for (const live of root.querySelectorAll("[data-progress-live]")) {
    live.hidden = false;
  }
  schedule();
})();
