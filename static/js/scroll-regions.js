// A wide table scrolls sideways inside its .table-responsive box on a phone, not the
// page. A keyboard user must be able to reach that box to scroll it, and a screen
// reader user to know what it holds: while it overflows it is a focusable, labelled
// region, named after the table's caption or, failing that, the page's heading.
(function () {
  "use strict";
  const boxes = document.querySelectorAll(".table-responsive");
  if (!boxes.length) {
    return;
  }
  const heading = document.querySelector("main h1");

  function mark() {
    boxes.forEach(function (box) {
      if (box.dataset.region === "own") {
        return;
      }
      if (box.scrollWidth > box.clientWidth) {
        const caption = box.querySelector("caption");
        const name = (caption || heading || document.querySelector("title")).textContent.trim();
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", name);
        box.dataset.region = "marked";
      } else if (box.dataset.region === "marked") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.region;
      }
    });
  }

  document.querySelectorAll(".table-responsive[tabindex]").forEach(function (box) {
    box.dataset.region = "own";
  });
  mark();
  let timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(mark, 150);
  });
})();
