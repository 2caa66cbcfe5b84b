// A second click while the first submission is on its way does nothing; the
// server's one-time submission id covers retries and the back button.
document.querySelectorAll("form[method=post]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (form.dataset.submitting === "yes") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "yes";
  });
});
