// gridgov's shared front-end helpers, loaded before every page script: escaping for HTML text
// AND attributes (quotes included: a worker's phone `"onclick=…` must stay text), the API
// with the CSRF header, UI strings from json_script blocks, and the map with its tiles.
// No page builds HTML from data without gridgov.esc; links from data go through safeUrl.
(function () {
  "use strict";
  const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

  function esc(value) {
    return value === null || value === undefined ? "" : String(value).replace(/[&<>"'`]/g, (c) => ESCAPES[c]);
  }

  // Only links we mean to make: http(s), tel:, mailto: and same-site paths; anything else
  // (javascript:, data:) becomes a harmless "#".
  function safeUrl(value) {
    const text = value === null || value === undefined ? "" : String(value).trim();
    if (/^(https?:|tel:|mailto:)/i.test(text) || /^\/(?!\/)/.test(text)) return text;
    return "#";
  }

  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  // One call to our API (`path` under /api/v1 unless it starts with /api/):
  // { status, ok, data }, never a throw for an HTTP error.
  async function request(method, path, body) {
    const options = { method, credentials: "same-origin", headers: { Accept: "application/json", "X-CSRFToken": csrf() } };
    if (body instanceof FormData) options.body = body;
    else if (body !== undefined && body !== null) { options.body = JSON.stringify(body); options.headers["Content-Type"] = "application/json"; }
    const response = await fetch(path.startsWith("/api/") ? path : "/api/v1" + path, options);
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return { status: response.status, ok: response.ok, data };
  }

  // The same, throwing an Error with the server's message when the answer is not 2xx.
  async function api(method, path, body) {
    const answer = await request(method, path, body);
    if (!answer.ok) throw new Error((answer.data && answer.data.message) || String(answer.status));
    return answer.data;
  }

  function strings(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : {};
  }

  function uuid() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // A Leaflet map on `el` with the tile layer its data-tile-url names; without one, or when
  // the tile server does not answer (an intranet without internet), a plain background.
  function makeMap(el, options) {
    const map = L.map(el, Object.assign({ maxZoom: 19, zoomSnap: 0.25 }, options || {}));
    const tileUrl = el.dataset.tileUrl;
    if (tileUrl) {
      let errors = 0;
      const tiles = L.tileLayer(tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
      tiles.on("tileerror", () => { if (++errors >= 4) { el.classList.add("plain"); map.removeLayer(tiles); } });
    } else {
      el.classList.add("plain");
    }
    return map;
  }

  // Forms that submit on change (the language switch), without inline handlers (CSP).
  function wireAutosubmit(root) {
    (root || document).querySelectorAll("select[data-autosubmit]").forEach((select) => {
      select.addEventListener("change", () => select.form.submit());
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => wireAutosubmit());
  else wireAutosubmit();

  window.gridgov = Object.freeze({ esc, safeUrl, csrf, request, api, strings, uuid, makeMap });
})();
