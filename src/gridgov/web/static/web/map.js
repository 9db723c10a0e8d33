/* The grid map: draws one level of the grid tree under the current area; a click opens the area's card. */
(function () {
  "use strict";
  const T = gridgov.strings("map-i18n");
  const esc = gridgov.esc;  // quotes too: safe inside attributes
  const el = document.getElementById("map");
  const card = document.getElementById("card");
  const statusEl = document.getElementById("status");
  const crumbsEl = document.getElementById("crumbs");
  const palette = ["#e53935", "#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#6d4c41", "#3949ab", "#c0ca33", "#d81b60", "#00acc1", "#5e35b1"];
  const scopeRoot = el.dataset.root || null;
  const state = { root: scopeRoot, level: 2, chain: [] };

  const map = gridgov.makeMap(el);
  let layer = null;
  let outline = null;

  function api(path) { return gridgov.api("GET", "/areas/" + path); }

  function setStatus(text) { statusEl.textContent = text; }

  function drawCrumbs() {
    crumbsEl.innerHTML = "";
    // Areas above the user's own scope are named but cannot be opened.
    const scopeDepth = state.chain.findIndex(function (item) { return item.code === scopeRoot; });
    state.chain.forEach(function (item, i) {
      if (i) crumbsEl.appendChild(document.createTextNode(" › "));
      const a = document.createElement(i >= scopeDepth ? "a" : "span");
      a.textContent = item.name;
      if (i >= scopeDepth) a.onclick = function () { go(item.code); };
      crumbsEl.appendChild(a);
    });
  }

  function load() {
    setStatus(T.loading);
    const root = state.root ? "&root=" + encodeURIComponent(state.root) : "";
    const outlineReq = state.root ? api(encodeURIComponent(state.root)) : Promise.resolve(null);
    Promise.all([api("geojson?level=" + state.level + root), outlineReq]).then(function (res) {
      const fc = res[0], detail = res[1];
      if (!fc.features.length && state.level > 1) {
        // Nothing that deep (a grid worker's own grid has no sub-areas): show one level up.
        state.level -= 1;
        markLevel();
        load();
        return;
      }
      if (layer) map.removeLayer(layer);
      if (outline) map.removeLayer(outline);
      if (detail) {
        state.chain = detail.chain;
        drawCrumbs();
        if (detail.geometry) outline = L.geoJSON(detail.geometry, { style: { color: "#102a43", weight: 3, fill: false } }).addTo(map);
      }
      let i = 0;
      layer = L.geoJSON(fc, {
        style: function () { const c = palette[i++ % palette.length]; return { color: "#334e68", weight: 1, fillColor: c, fillOpacity: 0.35 }; },
        onEachFeature: function (f, l) {
          l.on("click", function () { showCard(f.properties.code); });
        }
      }).addTo(map);
      const bounds = (outline || layer).getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
      else map.setView([26.87, 100.23], 10);
      // Names stay on the map only where the area is wide enough on screen; elsewhere on hover.
      layer.eachLayer(function (l) {
        const b = l.getBounds();
        const width = map.latLngToContainerPoint(b.getNorthEast()).x - map.latLngToContainerPoint(b.getSouthWest()).x;
        l.bindTooltip(esc(l.feature.properties.name), { permanent: width > 90, direction: "center", className: "area-label" });
      });
      el.dataset.features = String(fc.features.length);
      setStatus(fc.features.length + " " + T.areas);
    }).catch(function () { setStatus(T.failed); });
  }

  function showCard(code) {
    api(encodeURIComponent(code)).then(function (a) {
      const rows = ["children", "compounds", "households", "residents", "rentals", "businesses", "units", "cameras"]
        .map(function (k) { return "<dt>" + esc(T[k]) + "</dt><dd>" + esc(a.counts[k] || 0) + "</dd>"; }).join("");
      const workers = a.workers.length ? a.workers.map(function (w) { return esc(w.name) + "（" + esc(T[w.employment]) + "）"; }).join("、") : esc(T.none);
      card.innerHTML =
        "<h2>" + esc(a.name) + "</h2>" +
        "<div class='meta'>" + esc(a.level_name) + " · " + esc(T.code) + " " + esc(a.code) + "</div>" +
        (a.generated ? "<span class='tag'>" + esc(T.generated) + "</span>" : "") +
        "<dl>" + rows +
        "<dt>" + esc(T.grid_head) + "</dt><dd>" + esc(a.grid_head || T.none) + "</dd>" +
        "<dt>" + esc(T.workers) + "</dt><dd>" + workers + "</dd>" +
        "<dt>" + esc(T.departments) + "</dt><dd>" + (esc(a.sunk_departments.join("、")) || esc(T.none)) + "</dd>" +
        "<dt>" + esc(T.linked_units) + "</dt><dd>" + (esc(a.linked_units.join("、")) || esc(T.none)) + "</dd>" +
        "</dl><div class='actions'>" +
        (a.counts.children ? "<button type='button' data-act='drill'>" + esc(T.drill) + "</button>" : "") +
        "<button type='button' class='secondary' data-act='close'>" + esc(T.close) + "</button></div>";
      card.hidden = false;
      card.dataset.code = a.code;
      const drill = card.querySelector("[data-act=drill]");
      if (drill) drill.onclick = function () { card.hidden = true; go(a.code, 2); };
      card.querySelector("[data-act=close]").onclick = function () { card.hidden = true; };
    }).catch(function () { setStatus(T.failed); });
  }

  function go(code, level) {
    state.root = code;
    if (level) state.level = level;
    markLevel();
    load();
  }

  function markLevel() {
    document.querySelectorAll(".levels button").forEach(function (b) { b.classList.toggle("active", Number(b.dataset.level) === state.level); });
  }

  document.querySelectorAll(".levels button").forEach(function (b) {
    b.addEventListener("click", function () { state.level = Number(b.dataset.level); markLevel(); load(); });
  });
  load();
})();
