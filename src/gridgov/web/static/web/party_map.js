// The Party map: grid outlines, Party organizations (clustered), service centers and stations.
(function () {
  "use strict";
  const { esc, api } = gridgov;
  const el = document.getElementById("party-map");
  const map = gridgov.makeMap(el);
  api("GET", `/areas/geojson?level=${encodeURIComponent(el.dataset.level)}` + (el.dataset.root ? `&root=${encodeURIComponent(el.dataset.root)}` : ""))
    .then((geo) => L.geoJSON(geo, { style: { color: "#829ab1", weight: 1, fillColor: "#fff", fillOpacity: 0.5 },
      onEachFeature: (f, layer) => layer.bindTooltip(esc(f.properties.name)) }).addTo(map).bringToBack());
  fetch(el.dataset.dataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } }).then((r) => r.json()).then((data) => {
    const orgs = L.markerClusterGroup({ maxClusterRadius: 35 });
    data.organizations.forEach((o) => orgs.addLayer(L.circleMarker([o.lat, o.lon], { radius: 6, color: "#b71c1c", fillOpacity: 0.85, weight: 1 })
      .bindPopup(`<b><a href="/party/org/${encodeURIComponent(o.id)}/">${esc(o.name)}</a></b><br>${esc(o.members)} ${esc(el.dataset.membersLabel)}`)));
    map.addLayer(orgs);
    const centers = L.layerGroup().addTo(map);
    data.centers.forEach((c) => L.marker([c.lat, c.lon], { icon: L.divIcon({ className: "party-pin pin-" + esc(c.kind), iconSize: [18, 18] }), title: c.name })
      .bindPopup(`<b>${esc(c.name)}</b><br>${esc(c.kind_name)}<br>${esc(c.hours)}<ul>${c.services.map((s) => `<li>${esc(s)}</li>`).join("")}</ul>`).addTo(centers));
    const all = data.organizations.map((o) => [o.lat, o.lon]).concat(data.centers.map((c) => [c.lat, c.lon]));
    if (all.length) map.fitBounds(all, { padding: [20, 20] }); else map.setView([26.87, 100.23], 11);
    document.getElementById("party-status").textContent = `${data.organizations.length} · ${data.centers.length}`;
  });
})();
