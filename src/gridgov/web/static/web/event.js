// The event page: where the event is, on a small map.
(function () {
  "use strict";
  const el = document.getElementById("event-map");
  if (!el) return;
  const point = [Number(el.dataset.lat), Number(el.dataset.lon)];
  const map = gridgov.makeMap(el);
  map.setView(point, 16);
  L.circleMarker(point, { radius: 9, color: "#b71c1c", fillOpacity: 0.8 }).addTo(map);
})();
