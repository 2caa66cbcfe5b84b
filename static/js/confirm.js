// An irreversible move asks first, in our own dialog (templates/includes/_confirm_dialog.html):
// a submit button marked data-confirm="<question>" sends its form only once confirmed.
// Listening on the document in the capture phase, this runs before any listener on the
// form (single-submit.js), so an unconfirmed click leaves the form untouched.
(function () {
  "use strict";
  const dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  const question = dialog.querySelector("[data-confirm-question]");
  const yes = dialog.querySelector("[data-confirm-yes]");
  let waiting = null;

  document.addEventListener(
    "submit",
    function (event) {
      const button = event.submitter;
      if (!button || !button.dataset.confirm || button.dataset.confirmed === "yes") {
        if (button) {
          delete button.dataset.confirmed;
        }
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      waiting = button;
      question.textContent = button.dataset.confirm;
      yes.textContent = button.dataset.confirmYes || button.textContent.trim();
      dialog.returnValue = "";
      dialog.showModal();
    },
    true,
  );

  dialog.addEventListener("close", function () {
    const button = waiting;
    waiting = null;
    if (button && dialog.returnValue === "yes") {
      button.dataset.confirmed = "yes";
      button.form.requestSubmit(button);
    } else if (button) {
      button.focus();
    }
  });
})();
