// A background job's page follows it without a reload: every 2 seconds it asks the job's
// JSON document and writes its status and progress; when the job has finished, or its
// size has become known (an export's rows, a PDF's pages once laid out), it loads the
// page again, which then offers the file (or says it failed), or shows that size.
(function () {
  "use strict";
  const root = document.querySelector("[data-job-url]");
  if (!root || root.hasAttribute("data-job-finished")) {
    return;
  }
  const INTERVAL = 2000;
  const status = root.querySelector("[data-job-status]");
  const progress = root.querySelector("[data-job-progress]");
  const done = root.querySelector("[data-job-done]");
  const numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

  async function refresh() {
    try {
      const response = await fetch(root.dataset.jobUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) {
        const job = await response.json();
        const total = job.total === null ? "" : String(job.total);
        if (job.finished || total !== root.dataset.jobTotal) {
          window.location.reload();
          return;
        }
        status.textContent = job.status_shown;
        if (progress) {
          progress.value = job.percent;
          progress.textContent = `${job.percent}%`;
        }
        if (done) {
          done.textContent = numbers.format(job.done);
        }
      }
    } finally {
      window.setTimeout(refresh, INTERVAL);
    }
  }

  window.setTimeout(refresh, INTERVAL);
})();
