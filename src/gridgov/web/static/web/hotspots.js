// The hotspots page (/leaders/hotspots/): the hexagon layer from GET /api/v1/analytics/hotspots
// (a GeoJSON FeatureCollection, decision 0037) coloured by count, the area's outline for
// orientation, and the table of the busiest cells beside it. The page's filter form is the
// one source of the query; the recurring problems below are rendered by the server.
(function () {
  "use strict";
  const g = window.gridgov;
  const config = g.strings("hotspots-config");
  const t = g.strings("hotspots-i18n");
  const el = document.getElementById("hotspot-map");
  if (!el) return;
  const status = document.getElementById("hs-status");
  const summary = document.getElementById("hs-summary");
  const tbody = document.querySelector("#hs-cells tbody");
  const legend = document.getElementById("hs-legend");
  const form = document.getElementById("hs-filters");
  const resolution = document.getElementById("hs-resolution");
  const COLOURS = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];

  const map = g.makeMap(el, { zoomControl: true }).setView([26.86, 100.23], 12);
  let hexLayer = null;
  let outline = null;
  const layers = {};

  function query() {
    const params = new URLSearchParams();
    new FormData(form).forEach((value, key) => {
      if (value !== "" && ["since", "until", "subclass", "area", "resolution", "min_count"].includes(key)) params.set(key, value);
    });
    return params;
  }

  // Up to five classes between the threshold and the busiest cell, each starting at a whole
  // count of its own: a quiet district still shows its relative spots, a busy one does not
  // turn all red, and the legend never names one count twice.
  function breaks(min, max) {
    const classes = Math.min(COLOURS.length, max - min + 1);
    const starts = [];
    for (let i = 0; i < classes; i++) starts.push(Math.round(min + ((max - min + 1) * i) / classes));
    return starts;
  }

  function colourOf(count, starts) {
    let index = 0;
    starts.forEach((start, i) => { if (count >= start) index = i; });
    return COLOURS[COLOURS.length - starts.length + index];
  }

  function drawLegend(starts, max) {
    if (!max) { legend.hidden = true; return; }
    legend.hidden = false;
    legend.innerHTML = starts.map((start, i) => {
      const end = i + 1 < starts.length ? starts[i + 1] - 1 : max;
      const label = end > start ? `${start}–${end}` : `${start}`;
      return `<span><i style="background:${colourOf(start, starts)}"></i>${g.esc(label)}</span>`;
    }).join("");
  }

  function kinds(feature) {
    return feature.properties.top_subclasses.map((k) => `${g.esc(k.name)} ${g.esc(k.count)}`).join("、");
  }

  function draw(data) {
    const features = data.features;
    const counts = features.map((f) => f.properties.count);
    const max = counts.length ? Math.max(...counts) : 0;
    const starts = breaks(data.meta.min_count, Math.max(max, data.meta.min_count));
    if (hexLayer) map.removeLayer(hexLayer);
    Object.keys(layers).forEach((k) => delete layers[k]);
    hexLayer = L.geoJSON(data, {
      style: (f) => ({ color: "#67000d", weight: 1, fillColor: colourOf(f.properties.count, starts), fillOpacity: 0.7 }),
      onEachFeature: (f, layer) => {
        layers[f.properties.cell] = layer;
        layer.bindTooltip(`<strong>${g.esc(f.properties.count)}</strong> ${g.esc(t.events)} · ${(f.properties.share * 100).toFixed(1)}% ${g.esc(t.share)}<br>${kinds(f)}`, { sticky: true });
        if (layer._path) layer._path.setAttribute("data-cell", f.properties.cell);
      },
    }).addTo(map);
    hexLayer.eachLayer((layer) => { if (layer._path) layer._path.setAttribute("data-cell", layer.feature.properties.cell); });
    drawLegend(starts, max);
    summary.textContent = t.summary.replace("%(cells)s", data.meta.cells).replace("%(total)s", data.meta.total) + (data.meta.truncated ? " " + t.truncated : "");
    tbody.innerHTML = features.slice(0, 15).map((f, i) => `<tr data-cell="${g.esc(f.properties.cell)}" data-count="${g.esc(f.properties.count)}">
      <td>${i + 1}</td><td class="num"><strong>${g.esc(f.properties.count)}</strong></td>
      <td class="num">${(f.properties.share * 100).toFixed(1)}%</td><td>${kinds(f)}</td></tr>`).join("");
    status.textContent = features.length ? "" : t.none;
    el.dataset.cells = String(features.length);
    if (features.length) map.fitBounds(hexLayer.getBounds(), { padding: [30, 30], maxZoom: 16 });
    else if (outline) map.fitBounds(outline.getBounds());
  }

  function focus(cell) {
    const layer = layers[cell];
    if (!layer) return;
    map.fitBounds(layer.getBounds(), { maxZoom: 16 });
    layer.openTooltip();
  }

  function load() {
    status.textContent = t.loading;
    el.dataset.loaded = "false";
    g.api("GET", "/analytics/hotspots?" + query().toString()).then((data) => {
      draw(data);
      el.dataset.loaded = "true";
    }).catch((error) => {
      status.textContent = t.failed + " " + error.message;
      el.dataset.loaded = "error";
    });
  }

  // The streets (or the level below the root) in thin lines: without a tile server the
  // hexagons would float on a blank background.
  g.api("GET", "/areas/geojson?level=2" + (config.root ? "&root=" + encodeURIComponent(config.root) : "")).then((fc) => {
    L.geoJSON(fc, { style: { color: "#8a96a8", weight: 1, fill: false }, interactive: false }).addTo(map).bringToBack();
  }).catch(() => {});
  if (config.root) {
    g.api("GET", "/areas/" + encodeURIComponent(config.root)).then((area) => {
      if (!area || !area.geometry) return;
      outline = L.geoJSON(area.geometry, { style: { color: "#3b5b92", weight: 2, fill: false, dashArray: "4 4" }, interactive: false }).addTo(map);
      if (!hexLayer || !hexLayer.getLayers().length) map.fitBounds(outline.getBounds());
    }).catch(() => {});
  }

  tbody.addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-cell]");
    if (row) focus(row.dataset.cell);
  });
  document.querySelectorAll(".hs-cell-link").forEach((link) => {
    link.addEventListener("click", () => {
      if (resolution.value !== "9") { resolution.value = "9"; load(); }
      const lat = parseFloat(link.dataset.lat), lon = parseFloat(link.dataset.lon);
      if (!Number.isNaN(lat)) map.setView([lat, lon], 16);
      setTimeout(() => focus(link.dataset.cell), 300);
    });
  });
  resolution.addEventListener("change", load);
  load();
})();
