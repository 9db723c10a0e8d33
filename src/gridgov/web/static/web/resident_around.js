// Around me: the public reports (moderated, public kinds only) near the map's centre, on
// the map and as a list; moving the map or "my position" loads the reports there.
(function () {
  "use strict";
  const { esc, request } = window.gridgov;
  const { S, messageOf, card, reportUrl } = window.resident;
  const el = document.getElementById("around-map");
  if (!el) return;
  const list = document.getElementById("around-list");
  const status = document.getElementById("around-status");
  const stateFilter = document.getElementById("around-state");
  const { map, ready } = window.residentMap.make(el);
  const layer = L.layerGroup().addTo(map);
  const MAX_RADIUS = 5000;
  let seq = 0;
  let located = false; // the phone's position wins over the district's frame

  async function load() {
    const mine = ++seq;
    const centre = map.getCenter();
    const radius = Math.min(MAX_RADIUS, Math.max(200, Math.round(centre.distanceTo(map.getBounds().getNorthEast()))));
    const query = new URLSearchParams({ lon: centre.lng.toFixed(6), lat: centre.lat.toFixed(6), radius_m: radius, limit: 100 });
    if (stateFilter.value) query.set("state", stateFilter.value);
    status.textContent = S.loading;
    const answer = await request("GET", "/public/reports?" + query);
    if (mine !== seq) return; // a later move asked again
    layer.clearLayers();
    if (!answer.ok) { status.textContent = messageOf(answer); list.innerHTML = ""; return; }
    const items = Array.isArray(answer.data) ? answer.data : (answer.data && answer.data.items) || [];
    status.textContent = items.length ? "" : S.around_none;
    list.innerHTML = items.map((item) => card(item)).join("");
    items.forEach((item) => {
      if (typeof item.lat !== "number" || typeof item.lon !== "number") return;
      const open = !["closed", "rated", "refused"].includes(item.public_state);
      L.circleMarker([item.lat, item.lon], { radius: 8, weight: 2, color: open ? "#b71c1c" : "#2e7d32", fillOpacity: 0.7 })
        .bindPopup(`<b>${esc(item.subclass_name)}</b><br>${esc(item.public_text || "")}<br><a href="${esc(reportUrl(item.number))}">${esc(item.number)}</a>`)
        .addTo(layer);
    });
  }

  let timer = null;
  map.on("moveend", () => { clearTimeout(timer); timer = setTimeout(load, 300); });
  stateFilter.addEventListener("change", load);
  document.getElementById("around-locate").addEventListener("click", async () => {
    status.textContent = S.locating;
    try {
      const at = await window.residentMap.locate();
      located = true;
      map.setView([at.lat, at.lon], 16);
    } catch (e) {
      status.textContent = e.message;
    }
  });
  ready.then((bounds) => { if (bounds && !located) map.fitBounds(bounds); else if (!located) load(); });
  setTimeout(() => map.invalidateSize(), 50);
})();
