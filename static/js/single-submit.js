// A second click while the first submission is on its way does nothing; the
// server's one-time submission id covers retries and the back button.
// A submission that never finishes (stopped by the user, a dropped connection)
// must not leave the form dead: it is released when the page is shown again
// (back/forward cache), when loading is stopped, and after a while in any case.
const RELEASE_AFTER_MS = 15000;

// The pressed button says "Saving…" (its data-saving text) while the save is on its way.
function showSaving(button) {
  if (!button || !button.dataset.saving) return;
  button.dataset.label = button.textContent;
  button.textContent = button.dataset.saving;
  button.setAttribute("aria-disabled", "true");
  button.classList.add("disabled");
}

function release(form) {
  form.querySelectorAll("[data-label]").forEach((button) => {
    button.textContent = button.dataset.label;
    delete button.dataset.label;
    button.removeAttribute("aria-disabled");
    button.classList.remove("disabled");
  });
  delete form.dataset.submitting;
  clearTimeout(Number(form.dataset.releaseTimer));
  delete form.dataset.releaseTimer;
}

function releaseAll() {
  document.querySelectorAll("form[data-submitting]").forEach(release);
}

document.querySelectorAll("form[method=post]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (form.dataset.submitting === "yes") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "yes";
    showSaving(event.submitter);
    form.dataset.releaseTimer = String(setTimeout(() => release(form), RELEASE_AFTER_MS));
  });
});

window.addEventListener("pageshow", releaseAll);
// Pressing Esc or the browser's stop button aborts the navigation the form started.
window.addEventListener("keydown", (event) => {
  if (event.key === "Escape") releaseAll();
});
