// The report form's checklist: show the checklist of the chosen phase, and within it
// each question whose condition on earlier answers holds. Conditions arrive as the
// JSON tree that observation/conditions.py parses; the server checks them again.
// Hidden questions are disabled, so that what they held is not sent.
(function () {
  "use strict";
  const form = document.getElementById("report-form");
  if (!form) {
    return;
  }
  const blocks = Array.from(form.querySelectorAll("[data-checklist-phase]"));
  const phase = form.querySelector("[name=phase]");
  if (!blocks.length) {
    return;
  }

  function inputsOf(element) {
    return element.querySelectorAll("input, select, textarea");
  }

  function answerOf(code) {
    const question = form.querySelector('[data-question="' + CSS.escape(code) + '"]');
    if (!question) {
      return "";
    }
    const values = [];
    inputsOf(question).forEach(function (input) {
      if (input.disabled) {
        return;
      }
      if (input.type === "checkbox" || input.type === "radio") {
        if (input.checked) {
          values.push(input.value);
        }
      } else if (input.value.trim()) {
        values.push(input.value.trim());
      }
    });
    return values.join(" ");
  }

  function number(text) {
    return text !== "" && !isNaN(Number(text)) ? Number(text) : null;
  }

  function compare(operator, left, right) {
    const leftNumber = number(left);
    const rightNumber = number(right);
    if (leftNumber !== null && rightNumber !== null) {
      left = leftNumber;
      right = rightNumber;
    } else if (operator !== "=" && operator !== "!=") {
      return false;
    }
    switch (operator) {
      case "=": return left === right;
      case "!=": return left !== right;
      case "<": return left < right;
      case "<=": return left <= right;
      case ">": return left > right;
      case ">=": return left >= right;
    }
    return false;
  }

  function operand(tree) {
    return "ref" in tree ? answerOf(tree.ref) : tree.value;
  }

  function holds(tree) {
    if ("or" in tree) {
      return tree.or.some(holds);
    }
    if ("and" in tree) {
      return tree.and.every(holds);
    }
    if ("not" in tree) {
      return !holds(tree.not);
    }
    if ("selected" in tree) {
      return answerOf(tree.selected[0]).split(" ").indexOf(tree.selected[1]) !== -1;
    }
    const [operator, left, right] = tree.compare;
    return compare(operator, operand(left), operand(right));
  }

  function show(element, shown) {
    element.hidden = !shown;
    inputsOf(element).forEach(function (input) {
      input.disabled = !shown;
    });
  }

  function update() {
    const phases = blocks.map(function (block) {
      return block.dataset.checklistPhase;
    });
    const chosen = phase ? phase.value : "";
    const asked = phases.indexOf(chosen) !== -1 ? chosen : phases.indexOf("") !== -1 ? "" : null;
    blocks.forEach(function (block) {
      const shown = block.dataset.checklistPhase === asked;
      show(block, shown);
      if (!shown) {
        return;
      }
      // In form order, so that a question hidden now reads as unanswered further on.
      block.querySelectorAll("[data-question]").forEach(function (question) {
        if (question.dataset.relevant) {
          show(question, holds(JSON.parse(question.dataset.relevant)));
        }
      });
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
