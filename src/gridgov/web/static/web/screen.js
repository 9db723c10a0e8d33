// The big screen polls one summary every few seconds and redraws: grid colours by open events,
// clustered event markers (yellow/red by deadline), on-duty workers, KPIs and two charts.
(function () {
  "use strict";
  const T = gridgov.strings("screen-strings");
  const el = document.getElementById("screen-map");
  const interval = Number(el.dataset.interval) || 3000;
  const $ = (id) => document.getElementById(id);
  const pct = (x) => (x === null || x === undefined ? "–" : (x * 100).toFixed(1) + "%");
  // Shared helpers (web/common.js): esc escapes quotes too, so it is safe inside attributes.
  const { esc, safeUrl, api } = gridgov;

  const map = gridgov.makeMap(el, { zoomControl: true, attributionControl: !!el.dataset.tileUrl });
  map.setView([26.87, 100.23], 11);
  let areas = null;
  let counts = {};
  const clusters = L.markerClusterGroup({ maxClusterRadius: 40, showCoverageOnHover: false });
  const workerLayer = L.layerGroup();
  clusters.addTo(map); workerLayer.addTo(map);

  function fill(code) {
    const c = counts[code];
    if (!c || !c.open) return { fillColor: "#2e7d32", fillOpacity: 0.12 };
    if (c.red) return { fillColor: "#d32f2f", fillOpacity: 0.45 };
    if (c.yellow) return { fillColor: "#f9a825", fillOpacity: 0.4 };
    return { fillColor: "#1e88e5", fillOpacity: Math.min(0.15 + 0.08 * c.open, 0.5) };
  }
  api("GET", `/areas/geojson?level=${encodeURIComponent(el.dataset.level)}` + (el.dataset.root ? `&root=${encodeURIComponent(el.dataset.root)}` : ""))
    .then((geo) => {
      areas = L.geoJSON(geo, {
        style: (f) => ({ color: "#5c7c99", weight: 1, ...fill(f.properties.code) }),
        onEachFeature: (f, layer) => layer.bindTooltip(() => {
          const c = counts[f.properties.code] || {};
          return `${esc(f.properties.name)}: ${c.open || 0}`;
        }, { sticky: true }),
      }).addTo(map);
      map.invalidateSize();
      if (geo.features && geo.features.length) map.fitBounds(areas.getBounds(), { padding: [10, 10] });
      areas.bringToBack();
    });

  const trend = echarts.init($("chart-trend"), null, { renderer: "canvas" });
  const byArea = echarts.init($("chart-areas"), null, { renderer: "canvas" });
  const axisStyle = { axisLabel: { color: "#9fb3c8" }, axisLine: { lineStyle: { color: "#486581" } }, splitLine: { lineStyle: { color: "#243b53" } } };

  function icon(colour) {
    return L.divIcon({ className: "event-pin pin-" + (colour || "green"), iconSize: [14, 14] });
  }

  function draw(data) {
    counts = data.areas;
    if (areas) areas.setStyle((f) => fill(f.properties.code));
    clusters.clearLayers();
    clusters.addLayers(data.events.map((e) => {
      const m = L.marker([e.lat, e.lon], { icon: icon(e.deadline), title: `${e.number} ${e.kind}` });
      m.on("click", () => openEvent(e));
      return m;
    }));
    workerLayer.clearLayers();
    data.workers.forEach((w) => L.circleMarker([w.lat, w.lon], { radius: 2.5, color: "#00e5ff", weight: 0, fillOpacity: 0.7 }).bindTooltip(esc(w.name)).addTo(workerLayer));
    alarmsShown(data.alarms || []);
    whistlesShown(data.whistles);
    $("kpi-open").textContent = data.open_total;
    $("kpi-reported").textContent = data.today.reported;
    $("kpi-closed").textContent = data.today.closed;
    $("kpi-closure").textContent = pct(data.today.closure_rate);
    $("kpi-ontime").textContent = pct(data.today.on_time_closure_rate);
    $("kpi-satisfaction").textContent = pct(data.today.satisfaction_rate);
    $("kpi-workers").textContent = data.workers.length;
    trend.setOption({
      animation: false,
      grid: { left: 36, right: 12, top: 28, bottom: 24 },
      legend: { data: [T.reported, T.closed], textStyle: { color: "#d9e2ec" } },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.trend.days.map((d) => d.slice(5)), ...axisStyle },
      yAxis: { type: "value", minInterval: 1, ...axisStyle },
      series: [
        { name: T.reported, type: "line", smooth: true, data: data.trend.reported, itemStyle: { color: "#ffb74d" } },
        { name: T.closed, type: "line", smooth: true, data: data.trend.closed, itemStyle: { color: "#4dd0e1" } },
      ],
    });
    const top = Object.entries(data.areas).sort((a, b) => b[1].open - a[1].open).slice(0, 8).reverse();
    byArea.setOption({
      animation: false,
      grid: { left: 110, right: 16, top: 8, bottom: 20 },
      tooltip: {},
      xAxis: { type: "value", minInterval: 1, ...axisStyle },
      yAxis: { type: "category", data: top.map(([, a]) => a.name), ...axisStyle },
      series: [{ type: "bar", data: top.map(([, a]) => ({ value: a.open, itemStyle: { color: a.red ? "#e57373" : a.yellow ? "#ffd54f" : "#64b5f6" } })) }],
    });
    // Markers are the newest open events in view (at most a few hundred); the grids' colours
    // and the total count every open event. "shown / total" says when zooming in shows more.
    const shown = data.events_complete ? "" : ` · ${data.events.length} / ${data.open_total}`;
    $("updated").textContent = `${T.updated} ${new Date(data.generated_at).toLocaleTimeString()}${shown}`;
    $("updated").dataset.count = String(data.open_total);
  }

  // Open events of an urgent subclass (gas, collapse…), above everything (decision 0024).
  function alarmsShown(alarms) {
    const box = $("screen-alarms");
    box.hidden = !alarms.length;
    box.innerHTML = alarms.map((a) => `<a href="#event=${esc(a.id)}" class="alarm-item" data-id="${esc(a.id)}">⚠ ${esc(box.dataset.label)}: ${esc(a.kind)} · ${esc(a.area)} · ${esc(a.number)} · ${esc(a.state_name)}</a>`).join(" ");
  }

  // Whistles past a deadline, per level (decision 0025): a line under the alarms, red when any.
  function whistlesShown(w) {
    let box = $("screen-whistles");
    if (!w) { if (box) box.hidden = true; return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "screen-whistles";
      box.className = "screen-whistles";
      $("screen-alarms").after(box);
    }
    box.hidden = false;
    box.classList.toggle("overdue", w.overdue_total > 0);
    box.innerHTML = `${esc(w.label)}: <b>${esc(w.overdue_total)}</b> · ` + w.levels.map((l) => `${esc(l.name)} <b>${esc(l.overdue)}</b>`).join(" · ");
  }

  async function openEvent(e) {
    const card = $("event-card");
    card.hidden = false;
    card.innerHTML = `<h2>${esc(e.kind)} <small>${esc(e.number)}</small></h2><p class="pin-${esc(e.deadline || "green")}-text">${esc(e.state_name)}</p>`;
    let panel;
    try { panel = await api("GET", `/dispatch/events/${e.id}`); } catch (err) { panel = { workers: [] }; }
    // A worker the event may not be offered to (another grid, off the admission list) is
    // shown greyed with the reason and cannot be ticked, as on the event page.
    const rows = panel.workers.map((w) => `<label class="worker-row${w.allowed === false ? " refused" : ""}"${w.allowed === false && w.reason ? ` title="${esc(w.reason)}"` : ""}><input type="checkbox" value="${esc(w.id)}"${w.allowed === false ? " disabled" : ""}> ${esc(w.name)} · ${esc(Math.round(w.distance_m))} m · ${esc(w.open_tasks)} ${esc(T.open_tasks)}${w.tel ? ` <a href="${esc(safeUrl(w.tel))}">${esc(T.call)}</a>` : ""}${w.meeting_url ? ` <a href="${esc(safeUrl(w.meeting_url))}" target="_blank" rel="noopener">${esc(T.video)}</a>` : ""}${w.allowed === false && w.reason ? ` <small class="muted">${esc(w.reason)}</small>` : ""}</label>`).join("");
    card.innerHTML += `<h3>${esc(T.nearest)}</h3>${rows || `<p>${esc(T.no_workers)}</p>`}
      <div class="row">${e.state === "filed" || e.state === "dispatched" ? `<button type="button" id="screen-dispatch">${esc(T.dispatch)}</button>` : ""}
      <a href="/events/${encodeURIComponent(e.id)}/" target="_blank">${esc(T.open_page)}</a></div><p id="dispatch-result"></p>`;
    const button = document.getElementById("screen-dispatch");
    if (button) button.onclick = async () => {
      const ids = [...card.querySelectorAll("input:checked")].map((i) => Number(i.value));
      try { await api("POST", `/events/${e.id}/actions/dispatch`, { assignee_ids: ids }); $("dispatch-result").textContent = T.dispatched; }
      catch (err) { $("dispatch-result").textContent = err.message; }
      refresh();
    };
  }

  // #event=<id> opens that event's card (links from the queue and the event page).
  let wanted = Number((location.hash.match(/event=(\d+)/) || [])[1]) || null;
  window.addEventListener("hashchange", () => { wanted = Number((location.hash.match(/event=(\d+)/) || [])[1]) || null; refresh(); });

  // The view's box: the server sends markers inside it only (the whole area at district zoom).
  function bbox() {
    const b = map.getBounds();
    const r = (x) => x.toFixed(5);
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(r).join(",");
  }

  // An event linked by id may be older than the newest markers: read it by itself.
  async function eventById(id, data) {
    const found = data.events.find((x) => x.id === id);
    if (found) return found;
    try {
      const d = await api("GET", `/events/${id}`);
      return { id: d.id, number: d.number, lon: d.lon, lat: d.lat, state: d.state, state_name: d.state_name, kind: d.subclass_name, deadline: d.deadline };
    } catch (err) { return null; }
  }

  let busy = false;
  async function refresh() {
    if (busy) return;
    busy = true;
    let data;
    try { data = await api("GET", `/events/screen?bbox=${encodeURIComponent(bbox())}`); }
    catch (err) { $("updated").textContent = T.failed; busy = false; return; }
    busy = false;
    draw(data);
    if (wanted) {
      const id = wanted;
      wanted = null;
      const e = await eventById(id, data);
      if (e) { map.setView([e.lat, e.lon], 16); openEvent(e); }
    }
  }
  let moved = null;
  map.on("moveend", () => { clearTimeout(moved); moved = setTimeout(refresh, 300); });
  refresh();
  setInterval(refresh, interval);
  window.addEventListener("resize", () => { trend.resize(); byArea.resize(); });
})();
