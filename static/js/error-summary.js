// A failed save opens on its error summary (templates/observation/includes/_not_saved.html):
// focus goes there, so that a screen reader reads it and a phone shows it, however
// far below the first wrong field is; each link then takes the focus to its field.
(function () {
  "use strict";
  const summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    const link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  });
})();
