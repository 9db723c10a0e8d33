// The command center's wall (decision 0039). Each part polls its own shared endpoint:
// the map's summary (/events/screen) and the alarm strip every few seconds, the worker layer
// with the map, whistles and cameras every 10 s, the rates every 30 s, hotspots every 5 min.
// Every figure carries its formula and denominator as a tooltip (title and data-tip).
(function () {
  "use strict";
  const T = gridgov.strings("screen-strings");
  const el = document.getElementById("screen-map");
  const interval = Number(el.dataset.interval) || 3000;
  const $ = (id) => document.getElementById(id);
  const pct = (x) => (x === null || x === undefined ? "–" : (x * 100).toFixed(1) + "%");
  const { esc, safeUrl, api } = gridgov;
  // "{closed} of {due}" with the counts: the formulas are translated templates.
  const fill = (template, values) => String(template || "").replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
  const tip = (node, text) => { node.title = text; node.dataset.tip = text; };
  // Every time in the server's zone: "today" is counted there, and a wall's browser may sit
  // in another zone (or in UTC, as kiosks often do).
  const zone = (() => {
    try { new Intl.DateTimeFormat([], { timeZone: el.dataset.timeZone }); return el.dataset.timeZone || undefined; } catch (err) { return undefined; }
  })();
  const fmt = (options) => new Intl.DateTimeFormat([], { timeZone: zone, hourCycle: "h23", ...options });
  const shortTime = fmt({ month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  const clockTime = fmt({ year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const hms = fmt({ hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const time = (iso) => shortTime.format(new Date(iso));

  // ---- the clock ----
  const clock = () => { $("cc-clock").textContent = clockTime.format(new Date()); };
  clock(); setInterval(clock, 1000);

  // ---- the map ----
  const map = gridgov.makeMap(el, { zoomControl: true, attributionControl: !!el.dataset.tileUrl });
  map.setView([26.87, 100.23], 11);
  const DOTS_ZOOM = 15; // from here on workers are dots; below, one figure per grid
  let areas = null;
  let counts = {};
  const gridCentres = {};
  const clusters = L.markerClusterGroup({ maxClusterRadius: 40, showCoverageOnHover: false });
  // Workers sit in their own pane under the events' markers: they never hide an event.
  map.createPane("workers").classList.add("leaflet-workers-pane");
  // At district zoom one figure per grid, and neighbouring grids' figures summed (the old
  // town's grids are a few hundred metres wide): a cluster shows the sum of its grids.
  const workerLayer = L.markerClusterGroup({
    clusterPane: "workers", maxClusterRadius: 36, disableClusteringAtZoom: DOTS_ZOOM, showCoverageOnHover: false, spiderfyOnMaxZoom: false,
    iconCreateFunction: (cluster) => {
      const n = cluster.getAllChildMarkers().reduce((sum, m) => sum + (m.options.count || 0), 0);
      const size = 26 + Math.min(String(n).length * 7, 21);
      return L.divIcon({ className: "cc-grid-workers cluster", html: `<span>${n}</span>`, iconSize: [size, size] });
    },
  });
  const trackLayer = L.layerGroup();
  const hotspotLayer = L.geoJSON(null, {
    style: (f) => ({ color: "#ff6f00", weight: 1, fillColor: "#ff3d00", fillOpacity: Math.min(0.2 + 0.6 * (f.properties.share || 0) * 5, 0.75) }),
    onEachFeature: (f, layer) => layer.bindTooltip(() => {
      const p = f.properties;
      const top = (p.top_subclasses || []).map((s) => `${s.name} ${s.count}`).join(", ");
      return esc(fill(T.hotspot_tip, { count: p.count, share: pct(p.share), top }));
    }, { sticky: true }),
  });
  clusters.addTo(map); workerLayer.addTo(map); trackLayer.addTo(map);
  L.control.layers(null, { [T.events]: clusters, [T.workers_layer]: workerLayer, [T.hotspots]: hotspotLayer }, { collapsed: false, position: "topright" }).addTo(map);

  function shade(code) {
    const c = counts[code];
    if (!c || !c.open) return { fillColor: "#2e7d32", fillOpacity: 0.12 };
    if (c.red) return { fillColor: "#d32f2f", fillOpacity: 0.45 };
    if (c.yellow) return { fillColor: "#f9a825", fillOpacity: 0.4 };
    return { fillColor: "#1e88e5", fillOpacity: Math.min(0.15 + 0.08 * c.open, 0.5) };
  }
  api("GET", `/areas/geojson?level=${encodeURIComponent(el.dataset.level)}` + (el.dataset.root ? `&root=${encodeURIComponent(el.dataset.root)}` : ""))
    .then((geo) => {
      areas = L.geoJSON(geo, {
        style: (f) => ({ color: "#5c7c99", weight: 1, ...shade(f.properties.code) }),
        onEachFeature: (f, layer) => {
          gridCentres[f.properties.code] = { centre: layer.getBounds().getCenter(), name: f.properties.name };
          layer.bindTooltip(() => {
            const c = counts[f.properties.code] || {};
            return `${esc(f.properties.name)}: ${c.open || 0}`;
          }, { sticky: true });
        },
      }).addTo(map);
      map.invalidateSize();
      if (geo.features && geo.features.length) map.fitBounds(areas.getBounds(), { padding: [10, 10] });
      areas.bringToBack();
      refreshWorkers();
    });

  const trend = echarts.init($("chart-trend"), null, { renderer: "canvas" });
  const byArea = echarts.init($("chart-areas"), null, { renderer: "canvas" });
  const axisStyle = { axisLabel: { color: "#bcccdc", fontSize: 15 }, axisLine: { lineStyle: { color: "#486581" } }, splitLine: { lineStyle: { color: "#243b53" } } };

  function icon(colour) {
    return L.divIcon({ className: "event-pin pin-" + (colour || "green"), iconSize: [16, 16] });
  }

  function draw(data) {
    counts = data.areas;
    if (areas) areas.setStyle((f) => shade(f.properties.code));
    clusters.clearLayers();
    clusters.addLayers(data.events.map((e) => {
      const m = L.marker([e.lat, e.lon], { icon: icon(e.deadline), title: `${e.number} ${e.kind}` });
      m.on("click", () => openEvent(e));
      return m;
    }));
    const red = Object.values(data.areas).reduce((n, a) => n + (a.red || 0), 0);
    $("kpi-open").textContent = data.open_total;
    tip($("fig-open"), fill(T.tip_open, { open: data.open_total, red }));
    trend.setOption({
      animation: false,
      grid: { left: 44, right: 12, top: 34, bottom: 28 },
      legend: { data: [T.reported, T.closed], textStyle: { color: "#d9e2ec", fontSize: 16 } },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.trend.days.map((d) => d.slice(5)), ...axisStyle },
      yAxis: { type: "value", minInterval: 1, ...axisStyle },
      series: [
        { name: T.reported, type: "line", smooth: true, data: data.trend.reported, itemStyle: { color: "#ffb74d" }, lineStyle: { width: 3 } },
        { name: T.closed, type: "line", smooth: true, data: data.trend.closed, itemStyle: { color: "#4dd0e1" }, lineStyle: { width: 3 } },
      ],
    });
    const shown = data.events_complete ? "" : ` · ${data.events.length} / ${data.open_total}`;
    $("updated").textContent = `${T.updated} ${hms.format(new Date(data.generated_at))}${shown}`;
    $("updated").dataset.count = String(data.open_total);
    legacyAlarms(data.alarms || []);
    whistlesOverdue(data.whistles);
  }

  // Open events now per area of the level below (streets for a district): from the rates'
  // answer. Hidden when there is none, so that the panels above take the room.
  let areasEmpty = false;
  function drawOpenBelow(rows) {
    const box = $("chart-areas");
    box.dataset.keys = rows.map((r) => r.key).join(",");
    box.dataset.counts = rows.map((r) => r.open).join(",");
    areasEmpty = !rows.length;
    if (!$("event-card").hidden) return fitAll();
    $("panel-areas").hidden = areasEmpty;
    byArea.resize();
    const top = rows.slice(0, 10).reverse();
    byArea.setOption({
      animation: false,
      grid: { left: 8, right: 40, top: 8, bottom: 24, containLabel: true },
      tooltip: {},
      xAxis: { type: "value", minInterval: 1, ...axisStyle },
      yAxis: { type: "category", data: top.map((a) => a.name), ...axisStyle },
      series: [{ type: "bar", barMaxWidth: 28, label: { show: true, position: "right", color: "#fff", fontSize: 15 }, data: top.map((a) => ({ value: a.open, itemStyle: { color: a.red ? "#e57373" : a.yellow ? "#ffd54f" : "#64b5f6" } })) }],
    });
    fitAll();
  }

  // A wall cannot scroll: what does not fit whole in its panel is left out whole (a row, a
  // whistle), never cut in the middle; the panel's count still says how many there are.
  function fit(panel, selector) {
    const items = [...panel.querySelectorAll(selector)];
    items.forEach((n) => { n.hidden = false; });
    if (panel.hidden) return;
    const bottom = panel.getBoundingClientRect().bottom - 4;
    let cut = false;
    // The first always stays: a panel shown with nothing in it says less than a cut entry.
    items.forEach((n, i) => {
      if (i > 0 && (cut || n.getBoundingClientRect().bottom > bottom)) { cut = true; n.hidden = true; }
    });
    panel.dataset.shown = String(items.filter((n) => !n.hidden).length);
  }
  function fitAll() {
    fit($("panel-whistles"), ".cc-whistle");
    fit($("panel-rank-areas"), "#rank-areas tbody tr");
    fit($("panel-rank-departments"), "#rank-departments tbody tr");
  }

  // Whistles past a deadline per level (decision 0025), atop the whistles panel.
  function whistlesOverdue(w) {
    const box = $("screen-whistles");
    box.hidden = !w;
    if (!w) return;
    box.classList.toggle("overdue", w.overdue_total > 0);
    box.dataset.overdue = String(w.overdue_total);
    box.innerHTML = `${esc(w.label)}: <b>${esc(w.overdue_total)}</b> · ` + w.levels.map((l) => `${esc(l.name)} <b>${esc(l.overdue)}</b>`).join(" · ");
  }

  // The earlier strip's urgent list, kept hidden: links (#event=) and tests read it.
  function legacyAlarms(alarms) {
    const box = $("screen-alarms");
    box.innerHTML = alarms.map((a) => `<a href="#event=${esc(a.id)}" class="alarm-item" data-id="${esc(a.id)}">${esc(a.kind)} · ${esc(a.number)}</a>`).join(" ");
  }

  // ---- the alarm strip, with a beep for each new urgent or overdue event ----
  let muted = localStorage.getItem("gridgov-screen-muted") === "1";
  let audio = null;
  const seen = new Set();
  let firstAlarms = true;
  function soundButton() {
    const b = $("cc-sound");
    b.setAttribute("aria-pressed", String(!muted));
    b.classList.toggle("off", muted);
    b.querySelector("span").textContent = muted ? T.sound_off : T.sound_on;
  }
  soundButton();
  $("cc-sound").addEventListener("click", () => {
    muted = !muted;
    localStorage.setItem("gridgov-screen-muted", muted ? "1" : "0");
    soundButton();
    if (!muted) beep(660, 0.12);
  });
  // Browsers start audio only after a click on the page: the first click anywhere opens it.
  document.addEventListener("click", () => { if (!audio && window.AudioContext) audio = new AudioContext(); if (audio && audio.state === "suspended") audio.resume(); }, { once: false });
  function beep(freq, seconds) {
    const strip = $("cc-alarms");
    strip.dataset.beeps = String(Number(strip.dataset.beeps) + 1);
    if (muted || !window.AudioContext) return;
    try {
      if (!audio) audio = new AudioContext();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = "square";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.15, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + seconds);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + seconds);
    } catch (err) { /* no sound device: the strip still shows */ }
  }
  function alarmItem(a, kind) {
    const when = kind === "overdue" && a.due_at ? fill(T.overdue_by, { due: time(a.due_at) }) : time(a.reported_at);
    return `<a href="#event=${esc(a.id)}" class="cc-alarm ${kind}" data-id="${esc(a.id)}" data-kind="${kind}"><b>${esc(kind === "urgent" ? T.urgent : T.overdue)}</b> ${esc(a.kind)} · ${esc(a.area)} · ${esc(a.number)} · ${esc(a.state_name)} · ${esc(when)}</a>`;
  }
  let stripHtml = "";
  function drawAlarms(data) {
    const strip = $("cc-alarms");
    const items = [...data.urgent.map((a) => alarmItem(a, "urgent")), ...data.overdue.map((a) => alarmItem(a, "overdue"))];
    const more = data.urgent_total + data.overdue_total - data.urgent.length - data.overdue.length;
    strip.dataset.state = data.urgent_total ? "urgent" : data.overdue_total ? "overdue" : "none";
    strip.dataset.urgent = String(data.urgent_total);
    strip.dataset.overdue = String(data.overdue_total);
    const html = items.length
      ? `<div class="cc-alarm-track">${items.join("")}${more > 0 ? `<span class="cc-alarm-more">${esc(fill(T.more, { n: more }))}</span>` : ""}</div>`
      : `<span class="cc-alarm-none">${esc(T.no_alarms)}</span>`;
    // Redrawn only when it changed: a redraw restarts the scrolling from the start.
    if (html !== stripHtml) {
      stripHtml = html;
      strip.innerHTML = html;
      marquee(strip);
    }
    $("kpi-urgent").textContent = data.urgent_total;
    $("kpi-overdue").textContent = data.overdue_total;
    tip($("fig-urgent"), fill(T.tip_urgent, { n: data.urgent_total }));
    tip($("fig-overdue"), fill(T.tip_overdue, { n: data.overdue_total }));
    // A new urgent event: a high double beep; newly overdue: one low beep. Not for what was
    // already there when the page opened (a reload must not ring for old alarms)...
    const fresh = { urgent: 0, overdue: 0 };
    for (const a of data.urgent) { const k = "u" + a.id; if (!seen.has(k)) { seen.add(k); fresh.urgent++; } }
    for (const a of data.overdue) { const k = "o" + a.id; if (!seen.has(k)) { seen.add(k); fresh.overdue++; } }
    if (firstAlarms) { firstAlarms = false; return; }
    if (fresh.urgent) { beep(880, 0.18); setTimeout(() => beep(880, 0.18), 260); } else if (fresh.overdue) beep(440, 0.25);
  }
  // More alarms than the wall is wide: the strip scrolls, a copy following the original so
  // the loop has no gap (the copy carries no ids: links and tests read the original).
  function marquee(strip) {
    const track = strip.querySelector(".cc-alarm-track");
    if (!track || track.scrollWidth <= strip.clientWidth) return;
    const width = track.scrollWidth;
    track.insertAdjacentHTML("beforeend", track.innerHTML.replace(/ data-id="/g, ' aria-hidden="true" data-copy="'));
    track.classList.add("scrolling");
    track.style.setProperty("--cc-scroll", `-${width + 28}px`);
    track.style.animationDuration = `${Math.max(width / 90, 10)}s`; // ~90 px a second
  }
  let alarmBusy = false;
  async function refreshAlarms() {
    if (alarmBusy) return;
    alarmBusy = true;
    try { drawAlarms(await api("GET", "/command/alarms")); } catch (err) { /* next poll */ }
    alarmBusy = false;
  }

  // ---- the figures: today, this month, this year; rankings ----
  let rankPeriod = "month";
  function figureTips(node, f, since) {
    const set = (key, value, text) => {
      const b = node.querySelector(`[data-figure="${key}"]`);
      if (!b) return;
      b.textContent = value;
      tip(key === "on_time_closure_rate" ? b : b.closest(".cc-fig"), text);
    };
    set("reported", f.reported, fill(T.tip_reported, { since, voided: f.voided }));
    set("closure_rate", pct(f.closure_rate), closureTip(f));
    set("on_time_closure_rate", pct(f.on_time_closure_rate), fill(T.tip_on_time, { on_time: f.closed_on_time, due: f.due_to_close }));
    set("satisfaction_rate", pct(f.satisfaction_rate), fill(T.tip_satisfaction, { satisfied: f.satisfied, basically: f.basically, rated: f.rated }));
  }
  const closureTip = (f) => fill(T.tip_closure, { closed: f.closed, due: f.due_to_close, not_due: f.not_due, reported: f.reported, voided: f.voided });
  function rankRows(rows) {
    if (!rows.length) return `<tr class="cc-empty"><td colspan="5">${esc(T.rank_none)}</td></tr>`;
    return rows.map((r) => `<tr data-key="${esc(r.key)}" data-rank="${esc(r.rank)}">
      <td class="n">${esc(r.rank)}</td><td class="name">${esc(r.name)}</td>
      <td class="v" title="${esc(closureTip(r))}" data-tip="${esc(closureTip(r))}">${esc(pct(r.closure_rate))}<small>${esc(r.closed)}/${esc(r.due_to_close)}</small></td>
      <td class="v" title="${esc(fill(T.tip_on_time, { on_time: r.closed_on_time, due: r.due_to_close }))}">${esc(pct(r.on_time_closure_rate))}</td>
      <td class="v" title="${esc(fill(T.tip_satisfaction, { satisfied: r.satisfied, basically: r.basically, rated: r.rated }))}">${esc(pct(r.satisfaction_rate))}<small>${esc(r.rated)}</small></td></tr>`).join("");
  }
  async function refreshRates() {
    let data;
    try { data = await api("GET", `/command/rates?period=${encodeURIComponent(rankPeriod)}`); } catch (err) { return; }
    for (const node of document.querySelectorAll(".cc-period")) {
      const p = node.dataset.period;
      figureTips(node, data.periods[p], p);
    }
    $("rank-areas").querySelector("tbody").innerHTML = rankRows(data.areas);
    $("rank-departments").querySelector("tbody").innerHTML = rankRows(data.departments);
    // No department handled anything in the period (events closed by grids and communities
    // only): the streets' ranking takes the column rather than an empty panel.
    $("panel-rank-departments").hidden = !data.departments.length;
    $("rank-areas").dataset.period = data.period;
    drawOpenBelow(data.open_by_area || []);
  }
  document.querySelectorAll("[data-rank-period]").forEach((b) => b.addEventListener("click", () => {
    rankPeriod = b.dataset.rankPeriod;
    document.querySelectorAll("[data-rank-period]").forEach((o) => o.setAttribute("aria-pressed", String(o === b)));
    refreshRates();
  }));

  // ---- workers: a figure per grid at district zoom, dots (click: today's track) zoomed in ----
  async function refreshWorkers() {
    const zoomed = map.getZoom() >= DOTS_ZOOM;
    let data;
    try { data = await api("GET", "/command/workers" + (zoomed ? `?bbox=${encodeURIComponent(bbox())}` : "")); } catch (err) { return; }
    $("kpi-workers").textContent = data.total;
    tip($("fig-workers"), fill(T.tip_workers, { n: data.total }));
    workerLayer.clearLayers();
    if (zoomed) {
      data.dots.forEach((w) => {
        const dot = L.circleMarker([w.lat, w.lon], { pane: "workers", count: 1, radius: 7, color: "#003b46", weight: 2, fillColor: "#00e5ff", fillOpacity: 0.95, className: "cc-worker-dot" });
        dot.bindTooltip(esc(w.name));
        dot.on("click", () => showTrack(w));
        workerLayer.addLayer(dot);
      });
      return;
    }
    data.grids.forEach((g) => {
      const place = gridCentres[g.code];
      if (!place) return;
      const size = 22 + Math.min(String(g.count).length * 7, 21);
      L.marker(place.centre, {
        pane: "workers", count: g.count,
        icon: L.divIcon({ className: "cc-grid-workers", html: `<span>${esc(g.count)}</span>`, iconSize: [size, size] }),
        title: fill(T.grid_workers_tip, { name: g.name, count: g.count }),
        keyboard: false,
      }).on("click", () => map.setView(place.centre, DOTS_ZOOM)).addTo(workerLayer);
    });
  }
  async function showTrack(w) {
    trackLayer.clearLayers();
    let points = [];
    try { points = await api("GET", `/dispatch/tracks/${encodeURIComponent(w.id)}`); } catch (err) { points = []; }
    if (!points.length) { cardShown(`<h2>${esc(w.name)}</h2><p id="track-info" data-points="0">${esc(fill(T.no_track, { name: w.name }))}</p>`); return; }
    const line = points.map((p) => [p.lat, p.lon]);
    L.polyline(line, { color: "#00e5ff", weight: 4, opacity: 0.9, className: "cc-track" }).addTo(trackLayer);
    L.circleMarker(line[0], { radius: 6, color: "#fff", fillColor: "#2e7d32", fillOpacity: 1 }).addTo(trackLayer);
    cardShown(`<h2>${esc(w.name)}</h2><p id="track-info" data-points="${esc(points.length)}">${esc(fill(T.track, { name: w.name, n: points.length }))}<br>${esc(time(points[0].at))} – ${esc(time(points[points.length - 1].at))}</p>`);
  }

  // ---- whistles in progress with their chain ----
  const STEP_MARK = { on_time: "✓", late: "✓!", overdue: "✗", near: "…", open: "○", none: "–" };
  async function refreshWhistles() {
    let data;
    try { data = await api("GET", "/command/whistles"); } catch (err) { return; }
    const panel = $("panel-whistles");
    panel.hidden = !data.whistles.length;
    byArea.resize();
    $("whistle-total").textContent = fill(T.whistle_total, { n: data.total });
    $("cc-whistles").innerHTML = data.whistles.map((w) => `<div class="cc-whistle" data-id="${esc(w.id)}">
      <div class="cc-whistle-head"><a href="#event=${esc(w.event_id)}">${esc(w.kind)} · ${esc(w.number)}</a> <span>${esc(w.level_name)} · ${esc(w.area)} · ${esc(time(w.at))}</span></div>
      ${w.summonses.map((s) => `<div class="cc-chain"><span class="dept">${esc(s.department)}</span>${s.steps.map((st) => `<span class="step ${esc(st.status)}" title="${esc(st.name)}${st.due ? " · " + esc(time(st.due)) : ""}${st.by ? " · " + esc(st.by) : ""}">${esc(STEP_MARK[st.status] || "")} ${esc(st.name)}${st.by ? ` <small>${esc(st.by)}</small>` : ""}</span>`).join("")}</div>`).join("")}
    </div>`).join("");
    fitAll();
  }

  // ---- camera alerts: snapshot and stream ----
  async function refreshCameras() {
    let data;
    try { data = await api("GET", "/command/cameras"); } catch (err) { return; }
    const panel = $("panel-cameras");
    panel.hidden = !data.events.length;
    byArea.resize();
    $("camera-total").textContent = fill(T.camera_total, { n: data.total, days: data.days });
    $("cc-cameras").innerHTML = data.events.map((c) => {
      // safeUrl turns what is not a web link into "#": no link at all is better than that.
      const link = (u) => { const safe = u ? safeUrl(u) : "#"; return safe === "#" ? "" : safe; };
      const snap = link(c.snapshot_url);
      const stream = link(c.stream_url);
      return `<figure class="cc-camera" data-id="${esc(c.id)}">
        ${snap ? `<img src="${esc(snap)}" alt="" loading="lazy">` : `<div class="cc-nosnap">${esc(T.camera_none)}</div>`}
        <figcaption><a href="#event=${esc(c.id)}">${esc(c.kind)}</a> · ${esc(c.camera || c.area)} · ${esc(time(c.reported_at))}<br>
        ${stream ? `<a class="cc-stream" href="${esc(stream)}" target="_blank" rel="noopener">▶ ${esc(T.stream)}</a>` : `<span class="muted">${esc(T.no_stream)}</span>`}</figcaption></figure>`;
    }).join("");
    fitAll();
  }

  // ---- hotspots (engineer D's API, GeoJSON hexagons of the last 30 days) ----
  async function refreshHotspots() {
    if (!map.hasLayer(hotspotLayer)) return;
    try {
      const geo = await api("GET", "/analytics/hotspots?resolution=" + (map.getZoom() >= 14 ? 9 : 8));
      hotspotLayer.clearLayers();
      hotspotLayer.addData(geo);
      hotspotLayer.bringToFront();
    } catch (err) {
      hotspotLayer.clearLayers();
      $("updated").dataset.hotspots = "unavailable";
    }
  }
  map.on("overlayadd", (e) => { if (e.layer === hotspotLayer) refreshHotspots(); });

  // The card (an event, a worker's track) takes the place of the open-by-area chart; its ×
  // gives the chart back.
  function cardShown(html) {
    const card = $("event-card");
    card.hidden = false;
    $("panel-areas").hidden = true;
    card.innerHTML = `<button type="button" class="cc-close" id="card-close" aria-label="×">×</button>${html}`;
    $("card-close").onclick = () => { card.hidden = true; $("panel-areas").hidden = areasEmpty; trackLayer.clearLayers(); byArea.resize(); fitAll(); };
    fitAll();
    return card;
  }

  // ---- an event's card: nearest workers, dispatch ----
  async function openEvent(e) {
    const card = cardShown(`<h2>${esc(e.kind)} <small>${esc(e.number)}</small></h2><p class="pin-${esc(e.deadline || "green")}-text">${esc(e.state_name)}</p>`);
    let panel;
    try { panel = await api("GET", `/dispatch/events/${e.id}`); } catch (err) { panel = { workers: [] }; }
    const rows = panel.workers.map((w) => `<label class="worker-row${w.allowed === false ? " refused" : ""}"${w.allowed === false && w.reason ? ` title="${esc(w.reason)}"` : ""}><input type="checkbox" value="${esc(w.id)}"${w.allowed === false ? " disabled" : ""}> ${esc(w.name)} · ${esc(Math.round(w.distance_m))} m · ${esc(w.open_tasks)} ${esc(T.open_tasks)}${w.tel ? ` <a href="${esc(safeUrl(w.tel))}">${esc(T.call)}</a>` : ""}${w.meeting_url ? ` <a href="${esc(safeUrl(w.meeting_url))}" target="_blank" rel="noopener">${esc(T.video)}</a>` : ""}${w.allowed === false && w.reason ? ` <small class="muted">${esc(w.reason)}</small>` : ""}</label>`).join("");
    card.insertAdjacentHTML("beforeend", `<h3>${esc(T.nearest)}</h3>${rows || `<p>${esc(T.no_workers)}</p>`}
      <div class="row">${e.state === "filed" || e.state === "dispatched" ? `<button type="button" id="screen-dispatch">${esc(T.dispatch)}</button>` : ""}
      <a href="/events/${encodeURIComponent(e.id)}/" target="_blank">${esc(T.open_page)}</a></div><p id="dispatch-result"></p>`);
    const button = document.getElementById("screen-dispatch");
    if (button) button.onclick = async () => {
      const ids = [...card.querySelectorAll("input:checked")].map((i) => Number(i.value));
      try { await api("POST", `/events/${e.id}/actions/dispatch`, { assignee_ids: ids }); $("dispatch-result").textContent = T.dispatched; }
      catch (err) { $("dispatch-result").textContent = err.message; }
      refresh();
    };
  }

  // #event=<id> opens that event's card (links from the queue, the strip, the panels).
  let wanted = Number((location.hash.match(/event=(\d+)/) || [])[1]) || null;
  window.addEventListener("hashchange", () => { wanted = Number((location.hash.match(/event=(\d+)/) || [])[1]) || null; refresh(); });

  function bbox() {
    const b = map.getBounds();
    const r = (x) => x.toFixed(5);
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(r).join(",");
  }

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
      if (e && e.lat !== null && e.lat !== undefined) { map.setView([e.lat, e.lon], 16); openEvent(e); }
    }
  }
  let moved = null;
  map.on("moveend", () => { clearTimeout(moved); moved = setTimeout(() => { refresh(); refreshWorkers(); refreshHotspots(); }, 300); });
  refresh(); refreshAlarms(); refreshRates(); refreshWhistles(); refreshCameras();
  setInterval(refresh, interval);
  // The strip polls at most every 2 s: an urgent event shows within 2 s + the shared answer's age.
  setInterval(refreshAlarms, Math.min(interval, 2000));
  setInterval(refreshWorkers, interval * 2);
  setInterval(() => { refreshWhistles(); refreshCameras(); }, 10_000);
  setInterval(refreshRates, 30_000);
  setInterval(refreshHotspots, 300_000);
  window.addEventListener("resize", () => { trend.resize(); byArea.resize(); fitAll(); });
})();
