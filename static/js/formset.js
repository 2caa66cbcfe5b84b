// "Add another" for Django formsets: clone the empty form from a <template>,
// number it, and bump the management form's TOTAL_FORMS.
document.querySelectorAll("[data-formset-add]").forEach((button) => {
  button.addEventListener("click", () => {
    const container = document.getElementById(button.dataset.formsetAdd);
    const template = document.getElementById(button.dataset.formsetTemplate);
    const prefix = container.dataset.formsetPrefix;
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    const index = Number(total.value);
    const html = template.innerHTML.replaceAll("__prefix__", String(index));
    container.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
  });
});
