// Nothing typed is lost: a form marked data-draft="<key>" keeps what was typed in
// this browser (localStorage) as it is typed. A save that never lands — expired
// session, refused CSRF token, server error, closed tab — leaves the draft in place,
// and the form offers it back the next time it is opened. The draft is dropped when
// the server confirms the save: the page after a successful save carries a message
// marked data-draft-saved, and this tab remembers (sessionStorage) which draft it
// submitted.
(function () {
  "use strict";
  const PREFIX = "observa-draft:";
  const PENDING = "observa-draft-pending";
  // Never kept: the token belongs to the session that served the page.
  const SKIPPED = new Set(["csrfmiddlewaretoken"]);

  function storage(kind) {
    // Private windows and locked-down browsers may refuse storage altogether.
    try {
      return window[kind];
    } catch (error) {
      return null;
    }
  }
  const local = storage("localStorage");
  const session = storage("sessionStorage");
  if (!local || !session) {
    return;
  }

  function read(key) {
    try {
      return JSON.parse(local.getItem(PREFIX + key));
    } catch (error) {
      return null;
    }
  }

  function forget(key) {
    local.removeItem(PREFIX + key);
  }

  function keptFields(form) {
    return Array.from(form.elements).filter(function (field) {
      return field.name && !SKIPPED.has(field.name) && field.type !== "file" && field.type !== "password";
    });
  }

  function valuesOf(form) {
    const values = [];
    keptFields(form).forEach(function (field) {
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked) {
          values.push([field.name, field.value]);
        }
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.from(field.selectedOptions).forEach(function (option) {
          values.push([field.name, option.value]);
        });
      } else if (field.tagName !== "BUTTON") {
        values.push([field.name, field.value]);
      }
    });
    return values;
  }

  function visibleValues(form, values) {
    const hidden = new Set(
      Array.from(form.querySelectorAll("input[type=hidden]")).map(function (field) {
        return field.name;
      }),
    );
    return JSON.stringify(
      values.filter(function (pair) {
        return !hidden.has(pair[0]);
      }),
    );
  }

  function store(form) {
    local.setItem(
      PREFIX + form.dataset.draft,
      JSON.stringify({ savedAt: Date.now(), values: valuesOf(form) }),
    );
  }

  // Rows added with "Add another" (formset.js) must exist before their values go in.
  function addRows(form, values) {
    form.querySelectorAll("[data-formset-prefix]").forEach(function (container) {
      const name = container.dataset.formsetPrefix + "-TOTAL_FORMS";
      const wanted = values.find(function (pair) {
        return pair[0] === name;
      });
      const total = form.elements[name];
      const button = form.querySelector('[data-formset-add="' + CSS.escape(container.id) + '"]');
      if (!wanted || !total || !button) {
        return;
      }
      while (Number(total.value) < Number(wanted[1])) {
        button.click();
      }
    });
  }

  function restore(form, values) {
    addRows(form, values);
    const remaining = values.slice();
    function take(name, value) {
      const index = remaining.findIndex(function (pair) {
        return pair[0] === name && (value === undefined || pair[1] === value);
      });
      return index === -1 ? null : remaining.splice(index, 1)[0];
    }
    keptFields(form).forEach(function (field) {
      let changed = false;
      if (field.type === "checkbox" || field.type === "radio") {
        const checked = take(field.name, field.value) !== null;
        changed = field.checked !== checked;
        field.checked = checked;
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.from(field.options).forEach(function (option) {
          const selected = take(field.name, option.value) !== null;
          changed = changed || option.selected !== selected;
          option.selected = selected;
        });
      } else if (field.tagName !== "BUTTON") {
        const pair = take(field.name);
        if (pair !== null && field.value !== pair[1]) {
          field.value = pair[1];
          changed = true;
        }
      }
      if (changed) {
        // Scripts that follow a field (the checklist's conditions) see the restored value.
        field.dispatchEvent(new Event("input", { bubbles: true }));
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  function offer(form, draft, onDone) {
    const box = document.querySelector("[data-draft-offer]");
    if (!box) {
      return false;
    }
    const when = box.querySelector("[data-draft-when]");
    // The month by name ("9 abr 2000, 10:15"): a numeric date reads two ways.
    when.textContent = new Date(draft.savedAt).toLocaleString(document.documentElement.lang || undefined, {
      day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    });
    when.dateTime = new Date(draft.savedAt).toISOString();
    box.hidden = false;
    box.querySelector("[data-draft-restore]").addEventListener("click", function () {
      restore(form, draft.values);
      box.hidden = true;
      onDone();
      store(form);
      const first = keptFields(form).find(function (field) {
        return field.type !== "hidden" && !field.disabled;
      });
      if (first) {
        first.focus();
      }
    });
    box.querySelector("[data-draft-discard]").addEventListener("click", function () {
      forget(form.dataset.draft);
      box.hidden = true;
      onDone();
    });
    box.focus();
    return true;
  }

  // The save this tab submitted last went through: its draft has served.
  const pending = session.getItem(PENDING);
  if (pending !== null && document.querySelector("[data-draft-saved]")) {
    forget(pending);
    session.removeItem(PENDING);
  }

  const forms = document.querySelectorAll("form[data-draft]");
  forms.forEach(function (form) {
    const key = form.dataset.draft;
    const draft = read(key);
    // Until the reader chooses, the kept draft is not overwritten by the fresh form.
    let keeping = true;
    if (session.getItem(PENDING) === key) {
      session.removeItem(PENDING);
    }
    if (draft && Array.isArray(draft.values)) {
      // A page answering a save shows what was posted: that is the draft already.
      const posted = "draftPosted" in form.dataset;
      const same = visibleValues(form, valuesOf(form)) === visibleValues(form, draft.values);
      if (!posted && !same) {
        keeping = !offer(form, draft, function () {
          keeping = true;
        });
      }
    }
    function keep() {
      if (keeping) {
        store(form);
      }
    }
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", function () {
      keeping = true;
      store(form);
      session.setItem(PENDING, key);
    });
  });

  // Any other page, reached while a save was pending in this tab (the sign-in page
  // after the session expired, the page refusing a stale form, the server-error
  // page): say the work is kept, and where to find it.
  const kept = document.querySelector("[data-draft-kept]");
  const waiting = session.getItem(PENDING);
  if (kept && waiting !== null && !forms.length && read(waiting)) {
    const link = kept.querySelector("[data-draft-link]");
    // The key is "<user>:<path of the form>".
    link.href = waiting.slice(waiting.indexOf(":") + 1);
    kept.hidden = false;
  }
})();
