// Suggest polling stations of this mission as the user types a code or name; once the
// field holds a station's code, show its name, area and registered voters beside it
// (the datalist's data-voters-label names the figure in the page's language).
document.querySelectorAll("[data-station-search]").forEach((input) => {
  const list = document.getElementById(input.getAttribute("list"));
  const known = new Map();
  let timer = null;

  const info = document.createElement("div");
  info.className = "form-text station-info";
  info.id = `${input.id}-info`;
  info.setAttribute("aria-live", "polite");
  input.insertAdjacentElement("afterend", info);
  input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${info.id}`.trim());

  async function search(query) {
    const url = `${list.dataset.url}?q=${encodeURIComponent(query)}`;
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) return [];
    const { results } = await response.json();
    results.forEach((station) => known.set(station.code, station));
    return results;
  }

  function describe() {
    const station = known.get(input.value.trim().toUpperCase());
    if (!station) {
      info.textContent = "";
      return;
    }
    // A station whose list gave no figure has none to show.
    const voters = station.registered_voters === null ? "" : `${station.registered_voters.toLocaleString(document.documentElement.lang || undefined)} ${list.dataset.votersLabel || ""}`;
    info.textContent = [station.name, station.area, voters.trim()].filter(Boolean).join(" · ");
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    describe();
    const query = input.value.trim();
    if (query.length < 1) return;
    timer = setTimeout(async () => {
      const results = await search(query);
      list.replaceChildren(
        ...results.map((station) => {
          const option = document.createElement("option");
          option.value = station.code;
          option.label = station.label;
          return option;
        }),
      );
      describe();
    }, 200);
  });

  // A code typed or restored in full (an edit form, a restored draft) is looked up once.
  async function lookUp() {
    const code = input.value.trim();
    if (code && !known.has(code.toUpperCase())) await search(code);
    describe();
  }
  input.addEventListener("change", lookUp);
  if (input.value.trim()) lookUp();
});
