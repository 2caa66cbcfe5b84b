// The map of stations: each station with coordinates a dot coloured by its legend key,
// clustered so that tens of thousands stay quick, each a link to the station's page.
// Tiles come from the server the mission set up (data-tile-url), if any; without one
// nothing is asked outside the app, and the stations are drawn over the outlines of the
// mission's areas (data-outlines-url, when it loaded them) or else on a grid of
// latitudes and longitudes.
(function () {
  "use strict";
  const root = document.querySelector("[data-map-url]");
  if (!root || !window.L) {
    return;
  }
  for (const swatch of document.querySelectorAll(".map-swatch[data-colour]")) {
    swatch.style.backgroundColor = swatch.dataset.colour;
  }
  // A maximum zoom of its own: clustering needs one, and without tiles none comes from them.
  const map = L.map(root, { preferCanvas: true, worldCopyJump: true, maxZoom: 18 }).setView([0, 0], 2);
  if (root.dataset.tileUrl) {
    L.tileLayer(root.dataset.tileUrl, {
      maxZoom: 18,
      attribution: root.dataset.tileAttribution,
    }).addTo(map);
  }

  function grid(bounds) {
    // Lines every 1, 5 or 10 degrees, as wide as the stations spread.
    const span = Math.max(bounds.getNorth() - bounds.getSouth(), bounds.getEast() - bounds.getWest());
    const step = span > 40 ? 10 : span > 8 ? 5 : 1;
    const south = Math.floor(bounds.getSouth() / step) * step - step;
    const north = Math.ceil(bounds.getNorth() / step) * step + step;
    const west = Math.floor(bounds.getWest() / step) * step - step;
    const east = Math.ceil(bounds.getEast() / step) * step + step;
    const style = { color: "#adb5bd", weight: 1, interactive: false };
    for (let lat = south; lat <= north; lat += step) {
      L.polyline([[lat, west], [lat, east]], style).addTo(map);
    }
    for (let lon = west; lon <= east; lon += step) {
      L.polyline([[south, lon], [north, lon]], style).addTo(map);
    }
  }

  // The widest areas drawn boldest; a name shows on hovering its area.
  const OUTLINE_WEIGHTS = [2.5, 1.5, 1, 0.75, 0.5];

  async function outlines() {
    if (!root.dataset.outlinesUrl) {
      return null;
    }
    const response = await fetch(root.dataset.outlinesUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json" },
    });
    if (!response.ok) {
      return null;
    }
    const layer = L.geoJSON(await response.json(), {
      style: (feature) => ({
        color: "#495057",
        weight: OUTLINE_WEIGHTS[feature.properties.level - 1] || 0.5,
        fillColor: "#e9ecef",
        fillOpacity: feature.properties.level === 1 ? 0.4 : 0,
      }),
      onEachFeature: (feature, area) => {
        // A text node: a name from the file is never read as markup.
        const name = document.createElement("span");
        name.textContent = feature.properties.name;
        area.bindTooltip(name, { sticky: true });
      },
    }).addTo(map);
    root.dataset.outlines = String(layer.getLayers().length);
    return layer;
  }

  function link(station) {
    const anchor = document.createElement("a");
    anchor.href = root.dataset.stationUrl.replace(/\/0\/$/, `/${station[0]}/`);
    anchor.textContent = `${station[3]} — ${station[4]}`;
    return anchor;
  }

  async function load() {
    const areas = await outlines();
    const response = await fetch(root.dataset.mapUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) {
      return;
    }
    const data = await response.json();
    const colours = Object.fromEntries(data.legend.map(([key, , colour]) => [key, colour]));
    const markers = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false });
    const points = [];
    for (const station of data.stations) {
      const point = [station[1], station[2]];
      points.push(point);
      const colour = colours[station[5]];
      markers.addLayer(
        L.circleMarker(point, { radius: 6, color: colour, fillColor: colour, fillOpacity: 0.8 })
          .bindPopup(() => link(station))
      );
    }
    map.addLayer(markers);
    if (points.length) {
      const bounds = L.latLngBounds(points);
      map.fitBounds(bounds.pad(0.1));
      if (!root.dataset.tileUrl && !areas) {
        grid(bounds);
      }
    } else if (areas && areas.getLayers().length) {
      map.fitBounds(areas.getBounds());
    }
    root.dataset.loaded = String(points.length);
  }

  load();
})();
