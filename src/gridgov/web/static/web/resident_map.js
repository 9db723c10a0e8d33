// The resident maps (report and around me): tiles when a tile URL is configured, the grids'
// outlines always (alone, they are the map when there are no tiles), and the phone's
// position with a clear message when it cannot be had.
(function () {
  "use strict";
  const { makeMap, esc } = window.gridgov;
  const { S, C } = window.resident;
  // 古城区 (the demo district) until the outlines say where the district is.
  const FALLBACK = [26.872, 100.229];

  function make(el) {
    const map = makeMap(el, { zoomControl: true, attributionControl: Boolean(C.tile_url) });
    map.setView(FALLBACK, 14);
    const ready = fetch(C.outlines_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null))
      .then((data) => {
        if (!data || !data.features || !data.features.length) return null;
        const layer = L.geoJSON(data, {
          interactive: false,
          style: { color: "#b71c1c", weight: 1, opacity: 0.55, fillColor: "#b71c1c", fillOpacity: 0.03 },
        }).addTo(map);
        if (!C.tile_url) {
          // Without tiles the grids' names are the landmarks; only close up, where they fit.
          const labels = L.layerGroup();
          layer.eachLayer((grid) => {
            const name = grid.feature && grid.feature.properties && grid.feature.properties.name;
            if (name) L.marker(grid.getBounds().getCenter(), { interactive: false, keyboard: false, icon: L.divIcon({ className: "r-area-label", html: esc(name), iconSize: null }) }).addTo(labels);
          });
          const toggle = () => { if (map.getZoom() >= 16) labels.addTo(map); else labels.remove(); };
          map.on("zoomend", toggle);
          toggle();
        }
        return layer.getBounds();
      })
      .catch(() => null);
    return { map, ready };
  }

  // GCJ-02 → WGS-84 (the usual iterative inverse; about a metre): only when settings say
  // phones here give GCJ-02, to draw their position on a WGS-84 map.
  const A = 6378245.0, EE = 0.00669342162296594323;
  function outsideChina(lon, lat) { return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271; }
  function tLat(x, y) {
    let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
    r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
    r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
    return r;
  }
  function tLon(x, y) {
    let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
    r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
    r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
    return r;
  }
  function toGcj(lon, lat) {
    if (outsideChina(lon, lat)) return [lon, lat];
    let dLat = tLat(lon - 105, lat - 35), dLon = tLon(lon - 105, lat - 35);
    const rad = (lat / 180) * Math.PI;
    let magic = Math.sin(rad); magic = 1 - EE * magic * magic;
    const sq = Math.sqrt(magic);
    dLat = (dLat * 180) / (((A * (1 - EE)) / (magic * sq)) * Math.PI);
    dLon = (dLon * 180) / ((A / sq) * Math.cos(rad) * Math.PI);
    return [lon + dLon, lat + dLat];
  }
  function gcjToWgs(lon, lat) {
    let x = lon, y = lat;
    for (let i = 0; i < 5; i++) {
      const [gx, gy] = toGcj(x, y);
      x -= gx - lon; y -= gy - lat;
    }
    return [x, y];
  }

  // The phone's position: {lon, lat (WGS-84, for the map), raw: [lon, lat], crs} or an
  // Error whose message says what to do instead.
  function locate() {
    return new Promise((resolve, reject) => {
      if (!navigator.geolocation) { reject(new Error(S.no_geolocation)); return; }
      navigator.geolocation.getCurrentPosition(
        (p) => {
          const raw = [p.coords.longitude, p.coords.latitude];
          const crs = C.phone_crs === "gcj02" ? "gcj02" : "wgs84";
          const [lon, lat] = crs === "gcj02" ? gcjToWgs(raw[0], raw[1]) : raw;
          resolve({ lon, lat, raw, crs, accuracy: p.coords.accuracy });
        },
        (error) => reject(new Error(error && error.code === 1 ? S.geolocation_denied : S.geolocation_failed)),
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
      );
    });
  }

  function pinIcon() {
    return L.divIcon({ className: "r-pin", html: "<span></span>", iconSize: [30, 42], iconAnchor: [15, 40] });
  }

  window.residentMap = Object.freeze({ make, locate, pinIcon, gcjToWgs });
})();
