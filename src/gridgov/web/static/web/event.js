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

// The dispatch choice: find any field worker of the area by name, however far away; a
// ticked result joins the offer (its checkbox is named like the nearest workers'). Those
// the event may not be offered to come greyed, without a checkbox, with the reason.
(function () {
  "use strict";
  const box = document.getElementById("worker-search");
  if (!box) return;
  const { esc, safeUrl, request } = gridgov;
  const T = gridgov.strings("dispatch-strings");
  const input = document.getElementById("worker-search-q");
  const status = document.getElementById("worker-search-status");
  const results = document.getElementById("worker-search-results");
  const fmt = (text, n) => String(text).replace("%(n)s", n);
  const cjk = /[\u3400-\u9fff]/;
  let timer = null;
  let asked = 0;

  function listedAbove(id) {
    return !!document.querySelector(`#nearest-workers input[name="assignee_ids"][value="${Number(id)}"]`);
  }

  function card(w) {
    const d = w.distance_m;
    const where = d === null ? T.noPosition : d < 1000 ? `${Math.round(d)} m` : `${(d / 1000).toFixed(1)} km`;
    const duty = w.on_duty ? T.onDuty : T.offDuty;
    let tick = `<input type="checkbox" name="assignee_ids" value="${Number(w.id)}">`;
    let why = "";
    const above = listedAbove(w.id);
    if (above) { tick = `<input type="checkbox" disabled>`; why = `<span class="why">${esc(T.listed)}</span>`; }
    else if (!w.allowed) { tick = `<input type="checkbox" disabled>`; why = `<span class="why">${esc(w.reason)}</span>`; }
    const call = w.phone ? `<a href="${esc(safeUrl("tel:" + w.phone))}" class="call">${esc(T.call)}</a>` : "";
    return `<label class="worker-card${w.allowed && !above ? "" : " refused"}" data-worker="${Number(w.id)}">${tick} <b>${esc(w.name)}</b> ` +
      `<span class="muted" title="${esc(w.grid_code)}">${esc(w.grid_name || w.grid_code)}</span> · ${esc(where)} · ${esc(duty)} · ` +
      `${esc(fmt(T.tasks, Number(w.open_tasks)))} ${call}${why}</label>`;
  }

  async function search() {
    const q = input.value.trim();
    // Ticked results stay whatever the next search finds: they are part of the offer.
    const kept = [...results.querySelectorAll("label.worker-card")].filter((l) => l.querySelector("input:checked"));
    const keptIds = new Set(kept.map((l) => l.dataset.worker));
    if (!(cjk.test(q) || q.length >= 2)) {
      status.textContent = q ? T.short : "";
      results.replaceChildren(...kept);
      return;
    }
    const mine = ++asked;
    status.textContent = T.searching;
    const answer = await request("GET", `${box.dataset.url}?q=${encodeURIComponent(q)}`);
    if (mine !== asked) return; // a later search has been sent meanwhile
    if (!answer.ok) { status.textContent = (answer.data && answer.data.message) || String(answer.status); return; }
    const found = answer.data.filter((w) => !keptIds.has(String(w.id)));
    status.textContent = answer.data.length ? fmt(T.found, answer.data.length) : T.none;
    const holder = document.createElement("div");
    holder.innerHTML = found.map(card).join("");
    results.replaceChildren(...kept, ...holder.children);
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 250); });
  // Enter searches; it must not submit the dispatch form around the box.
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); search(); } });
})();
