// Suggest polling stations of this mission as the user types a code or name.
document.querySelectorAll("[data-station-search]").forEach((input) => {
  const list = document.getElementById(input.getAttribute("list"));
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length < 1) return;
    timer = setTimeout(async () => {
      const url = `${list.dataset.url}?q=${encodeURIComponent(query)}`;
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const { results } = await response.json();
      list.replaceChildren(
        ...results.map((station) => {
          const option = document.createElement("option");
          option.value = station.code;
          option.label = station.label;
          return option;
        }),
      );
    }, 200);
  });
});
