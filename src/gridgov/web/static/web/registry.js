// The registry pages' map: the place itself and what is around it (buildings of a compound,
// households of a building or compound), each linked to its page. Data from a json_script.
(function () {
  "use strict";
  const { esc, safeUrl } = gridgov;
  const el = document.getElementById("registry-map");
  const data = gridgov.strings("registry-places");
  if (!el || !data.self) return;
  const map = gridgov.makeMap(el, { scrollWheelZoom: false });
  const here = [data.self.lat, data.self.lon];
  const around = data.around || [];
  // The view first: Leaflet draws nothing on a map without one.
  // The grid's outline: where the place lies in it, with or without a tile server. The view
  // holds the grid and everything shown (Leaflet draws nothing on a map without a view).
  const points = [here].concat(around.map((p) => [p.lat, p.lon]));
  const bounds = L.latLngBounds(points);
  if (data.outline) {
    const outline = L.geoJSON(data.outline, {
      interactive: false,
      style: { color: "#b71c1c", weight: 2, dashArray: "6 4", fillColor: "#b71c1c", fillOpacity: 0.06 },
    });
    bounds.extend(outline.getBounds());
    outline.addTo(map);
  }
  if (bounds.getNorthEast().equals(bounds.getSouthWest())) map.setView(here, 17);
  else map.fitBounds(bounds, { padding: [24, 24], maxZoom: 18 });
  around.forEach((p) => {
    L.circleMarker([p.lat, p.lon], { radius: 6, color: "#486581", weight: 1, fillColor: "#9fb3c8", fillOpacity: 0.8 })
      .bindPopup(`<a href="${esc(safeUrl(p.url))}">${esc(p.title)}</a>`).addTo(map);
  });
  L.circleMarker(here, { radius: 9, color: "#7f0000", weight: 2, fillColor: "#b71c1c", fillOpacity: 0.9 })
    .bindTooltip(esc(data.self.title)).addTo(map);
})();
