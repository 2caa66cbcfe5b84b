// The review queue decides in place: a decision is sent in the background and the item
// is replaced by its result, so the reviewer keeps their place; focus moves on to the
// next item's note. Without this script the form posts and the queue reopens at the
// next item (observation/views/irregularities.py).
(function () {
  "use strict";
  const queue = document.querySelector("[data-review-queue]");
  if (!queue) {
    return;
  }

  queue.addEventListener("submit", async function (event) {
    const form = event.target.closest(".review-form");
    const item = form && form.closest(".queue-item");
    if (!item || event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    const submitter = event.submitter;
    function sendTheOrdinaryWay() {
      if (submitter && submitter.name) {
        const decision = document.createElement("input");
        decision.type = "hidden";
        decision.name = submitter.name;
        decision.value = submitter.value;
        form.append(decision);
      }
      form.submit();
    }
    const result = item.querySelector("[data-review-result]");
    const body = new FormData(form, submitter);
    form.querySelectorAll("button").forEach((button) => (button.disabled = true));
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: body,
        headers: { "X-Review-In-Place": "1" },
        credentials: "same-origin",
      });
    } catch (error) {
      // Offline, or the server out of reach: send the form the ordinary way.
      sendTheOrdinaryWay();
      return;
    }
    if (response.redirected || !(response.headers.get("Content-Type") || "").startsWith("text/html")) {
      // Signed out meanwhile, or anything else unexpected: let the page show it.
      sendTheOrdinaryWay();
      return;
    }
    result.innerHTML = await response.text();
    if (response.ok) {
      form.remove();
      item.classList.add("queue-item-decided");
      let next = item.nextElementSibling;
      while (next && !(next.matches(".queue-item") && next.querySelector("textarea"))) {
        next = next.nextElementSibling;
      }
      (next ? next.querySelector("textarea") : result.firstElementChild).focus();
    } else {
      form.querySelectorAll("button").forEach((button) => (button.disabled = false));
      result.querySelector("[role=alert]").focus();
    }
  });
})();
