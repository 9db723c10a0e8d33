// gridgov worker app. Writes (reports, check-ins, canvass forms, the loop's actions) go through
// one queue kept in IndexedDB: each has a client UUID made on the phone, so sending it twice
// stores it once. What was sent is kept with its result (the outbox's history). The tasks,
// an event's detail and its actions live in app_tasks.js, which this file's `gridgovApp` serves.
(function () {
  "use strict";
  const T = gridgov.strings("app-strings");
  const $ = (sel) => document.querySelector(sel);

  // --- small helpers --------------------------------------------------------------------
  // Shared helpers (web/common.js): the UUID made on the phone and the API with CSRF.
  const uuid = gridgov.uuid;
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== null && v !== undefined) node.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }
  function flash(text, kind) {
    const f = $("#flash");
    f.textContent = text; f.className = "flash flash-" + (kind || "info"); f.hidden = false;
    clearTimeout(flash.t); flash.t = setTimeout(() => { f.hidden = true; }, 5000);
  }
  // { status, ok, data }: the queue decides from the status whether to retry.
  const api = gridgov.request;
  function position() {
    return new Promise((resolve) => {
      if (!navigator.geolocation) return resolve(null);
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ lon: p.coords.longitude, lat: p.coords.latitude, accuracy: p.coords.accuracy }),
        () => resolve(null), { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
    });
  }

  // --- the queue (IndexedDB) -----------------------------------------------------------
  // Version 2 adds "sent": what left the queue, with its result, for the outbox's history.
  const db = new Promise((resolve, reject) => {
    const open = indexedDB.open("gridgov-app", 2);
    open.onupgradeneeded = () => {
      const names = open.result.objectStoreNames;
      if (!names.contains("queue")) open.result.createObjectStore("queue", { keyPath: "id" });
      if (!names.contains("sent")) open.result.createObjectStore("sent", { keyPath: "id" });
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  async function store(mode, fn, name) {
    const handle = await db;
    return new Promise((resolve, reject) => {
      const tx = handle.transaction(name || "queue", mode);
      const result = fn(tx.objectStore(name || "queue"));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
    });
  }
  const queueAll = async () => ((await store("readonly", (s) => s.getAll())) || []).sort((a, b) => a.created.localeCompare(b.created));
  const queuePut = (item) => store("readwrite", (s) => s.put(item));
  const queueDelete = (id) => store("readwrite", (s) => s.delete(id));
  const HISTORY_KEPT = 50;
  const sentAll = async () => ((await store("readonly", (s) => s.getAll(), "sent")) || []).sort((a, b) => b.sent.localeCompare(a.sent));

  // An item leaves the queue for the history: "done", or "conflict" (someone else acted first,
  // so the server did not apply it). Photos are not kept; the history is a record, not a copy.
  async function archive(item, result, answer) {
    const data = (answer && answer.data) || {};
    const entry = { id: item.id, kind: item.kind, label: item.label, created: item.created, sent: new Date().toISOString(), result,
      // A conflict's own words ("reload and try again") are the server's advice to a desk;
      // the app reloads by itself, so the history says only that it was not applied.
      message: result === "done" ? (data.state_name || "") : result === "conflict" ? "" : (data.message || ""), number: data.number || (item.payload && item.payload.number) || "" };
    await store("readwrite", (s) => s.put(entry), "sent");
    const all = await sentAll();
    for (const old of all.slice(HISTORY_KEPT)) await store("readwrite", (s) => s.delete(old.id), "sent");
    await queueDelete(item.id);
  }

  // Uploads the blobs of `item.photos` once each (a retry does not upload them again) and
  // keeps their refs in `item.refs`, in the order of their keys. null: the upload failed.
  async function uploadPhotos(item) {
    item.refs = item.refs || {};
    for (const key of Object.keys(item.photos || {}).sort()) {
      const form = new FormData();
      form.append("file", item.photos[key], "photo.jpg");
      const up = await api("POST", "/events/photos", form);
      if (!up.ok) return up;
      item.refs[key] = up.data.ref;
      delete item.photos[key];
      await queuePut(item);
    }
    return null;
  }
  const refsOf = (item, prefix) => Object.keys(item.refs || {}).sort().filter((k) => k.startsWith(prefix || "")).map((k) => item.refs[k]);

  async function enqueue(kind, label, payload, photo, photos) {
    const item = { id: uuid(), kind, label, payload, photo: photo || null, photos: photos || {}, created: new Date().toISOString(), status: "waiting", error: "" };
    await queuePut(item);
    changed();
    await renderQueue();
    if (navigator.onLine) await sync();
    const left = (await queueAll()).find((i) => i.id === item.id);
    if (left) flash(left.status === "failed" ? left.error : T.queued, left.status === "failed" ? "error" : "warning");
    else {
      const done = (await sentAll()).find((i) => i.id === item.id);
      const conflict = done && done.result === "conflict";
      flash(conflict ? T.not_applied + (done.message ? ": " + done.message : "") : T.sent, conflict ? "error" : "success");
    }
    return item;
  }

  async function sendOne(item) {
    if (item.kind === "report") {
      const payload = { ...item.payload, client_uuid: item.id, source: "worker" };
      if (item.photo && !item.photoRef) {
        const form = new FormData();
        form.append("file", item.photo, "photo.jpg");
        const up = await api("POST", "/events/photos", form);
        if (!up.ok) return up;
        item.photoRef = up.data.ref; item.photo = null;
        await queuePut(item); // a retry will not upload it again
      }
      if (item.photoRef) payload.photos = [item.photoRef];
      return api("POST", "/events/", payload);
    }
    if (item.kind === "checkin") return api("POST", "/codes/checkins", { ...item.payload, client_uuid: item.id });
    if (senders[item.kind]) return senders[item.kind](item);
    if (item.kind === "canvass") {
      // Photo answers travel as blobs; each is uploaded once and replaced by its ref.
      for (const [key, blob] of Object.entries(item.photos || {})) {
        const form = new FormData();
        form.append("file", blob, "photo.jpg");
        const up = await api("POST", "/events/photos", form);
        if (!up.ok) return up;
        item.payload.answers[key] = up.data.ref;
        delete item.photos[key];
        await queuePut(item);
      }
      return api("POST", `/canvass/tasks/${item.payload.task}`, { answers: item.payload.answers, client_uuid: item.id });
    }
    return { ok: false, status: 400, data: { message: "unknown item" } };
  }

  // Other kinds register their sender here (app_tasks.js: the loop's actions, solve on the spot).
  const senders = {};
  // What the server answered last for an event's version: an action queued after another on
  // the same event (accept, then feedback) is sent with the version the first one left.
  const versions = {};
  // Someone else acted first: the server's answer says so by its code.
  const CONFLICTS = ["stale", "not_allowed_now", "not_yours", "pending"];
  const listeners = [];
  function changed() { listeners.forEach((fn) => { try { fn(); } catch (e) { /* a view that is gone */ } }); }

  // One pass at a time; a call during a pass asks for another pass after it. A pass cut
  // short by the network (or a 5xx) is tried again after a few seconds while online.
  let syncing = false;
  let again = false;
  let retry = null;
  async function sync() {
    if (syncing) { again = true; return; }
    syncing = true;
    let interrupted = false;
    let touched = false;
    let delivered = 0;
    try {
      for (const item of await queueAll()) {
        if (item.status === "failed") continue;
        touched = true;
        let answer;
        try { answer = await sendOne(item); } catch (e) { interrupted = true; break; } // no network
        const code = answer.data && answer.data.code;
        if (answer.ok) {
          if (answer.data && answer.data.id && answer.data.version !== undefined) versions[answer.data.id] = answer.data.version;
          await archive(item, "done", answer);
          delivered += 1;
        }
        else if (item.payload && item.payload.event && (answer.status === 409 || answer.status === 403) && CONFLICTS.includes(code)) await archive(item, "conflict", answer);
        else if (answer.status === 401 || answer.status === 403) { item.error = T.sign_in_again; await queuePut(item); break; }
        else if (answer.status >= 500 || answer.status === 429) { interrupted = true; break; }
        else { item.status = "failed"; item.error = (answer.data && answer.data.message) || String(answer.status); await queuePut(item); }
      }
    } finally {
      syncing = false;
      await renderQueue();
      // "Saved on this phone" must not stay on screen once it has been sent.
      if (delivered && !$("#flash").hidden && $("#flash").textContent === T.queued) flash(T.sent, "success");
      if (touched) changed();
    }
    if (again) { again = false; return sync(); }
    if (interrupted && navigator.onLine && retry === null) {
      retry = setTimeout(() => { retry = null; sync(); }, 3000);
    }
  }

  async function renderQueue() {
    const items = await queueAll();
    $("#queue-count").textContent = String(items.length);
    const list = $("#queue");
    list.replaceChildren(...items.map((i) => el("li", { class: "card-item queue-item", "data-kind": i.kind, "data-status": i.status },
      el("b", {}, T[i.kind] || i.kind), " ", i.label, el("br"),
      el("span", { class: "muted" }, new Date(i.created).toLocaleString(), " · ", i.status === "failed" ? T.failed + ": " + i.error : (i.error || T.waiting)),
      " ", el("button", { type: "button", class: "secondary", onclick: async () => { await queueDelete(i.id); renderQueue(); } }, T.delete))));
    if (!items.length) list.append(el("li", { class: "muted" }, T.nothing_queued));
    const sent = await sentAll();
    $("#history").replaceChildren(...sent.map((i) => el("li", { class: "card-item sent-item", "data-kind": i.kind, "data-result": i.result },
      el("b", {}, T[i.kind] || i.kind), " ", i.label, i.number ? el("span", { class: "muted" }, " · " + i.number) : null, el("br"),
      el("span", { class: "result result-" + i.result }, i.result === "done" ? T.done : T.not_applied),
      i.message ? el("span", { class: "muted" }, " · " + i.message) : null, el("br"),
      el("span", { class: "muted" }, new Date(i.sent).toLocaleString()))));
    if (!sent.length) $("#history").append(el("li", { class: "muted" }, T.nothing_sent));
  }

  function renderNet() {
    const net = $("#net");
    net.textContent = navigator.onLine ? T.online : T.offline;
    net.className = "net " + (navigator.onLine ? "net-on" : "net-off");
  }
  window.addEventListener("online", () => { renderNet(); sync(); changed(); });
  window.addEventListener("offline", renderNet);
  setInterval(() => { if (navigator.onLine) sync(); }, 15000);

  // --- tabs -----------------------------------------------------------------------------
  document.querySelectorAll(".app-tabs button").forEach((button) => button.addEventListener("click", () => show(button.dataset.tab)));
  function show(tab) {
    document.querySelectorAll(".tab").forEach((s) => { s.hidden = s.id !== "tab-" + tab; });
    // The detail belongs to the tasks tab.
    document.querySelectorAll(".app-tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === (tab === "detail" ? "tasks" : tab)));
    window.scrollTo(0, 0);
    if (tab === "report") locate();
    if (tab === "canvass") loadCanvass();
    if (tabHandlers[tab]) tabHandlers[tab]();
  }
  // Tabs and scans other scripts answer (app_registry.js: the registry tab, door plates).
  const tabHandlers = {};
  const plateHandlers = [];

  // --- scan and check in ------------------------------------------------------------------
  $("#scan-form").addEventListener("submit", (e) => { e.preventDefault(); lookUp($("#scan-token").value); });
  async function lookUp(token) {
    const card = $("#place");
    // A household's door plate opens the household, from the phone's copy when offline.
    for (const handler of plateHandlers) if (await handler(token).catch(() => false)) { card.hidden = true; return; }
    card.hidden = false;
    let answer = null;
    try { answer = await api("GET", "/codes/resolve?token=" + encodeURIComponent(token)); } catch (e) { answer = null; }
    const facts = answer && answer.ok ? answer.data : null;
    card.replaceChildren(...[
      facts ? el("dl", {}, ...facts.facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])) : el("p", { class: "muted" }, answer ? (answer.data && answer.data.message) || T.not_found : T.offline),
      facts && facts.revoked ? el("p", { class: "flash flash-error" }, T.revoked) : null,
      el("div", { class: "row" },
        (!answer || (facts && facts.may_check_in && !facts.revoked)) ? el("button", { type: "button", class: "primary", id: "check-in", onclick: () => checkIn(token, facts) }, T.check_in) : null,
        facts && facts.may_check_in ? el("button", { type: "button", class: "secondary", onclick: () => reportAt(facts, false) }, T.report_here) : null,
        facts && facts.may_check_in ? el("button", { type: "button", class: "secondary", id: "solve-here", onclick: () => reportAt(facts, true) }, T.solve_here) : null)].filter(Boolean));
  }
  async function checkIn(token, facts) {
    const where = await position();
    const label = facts ? facts.facts[0][1] : token;
    await enqueue("checkin", label, { token: token.trim(), lon: where ? where.lon : null, lat: where ? where.lat : null, at: new Date().toISOString() });
  }
  function reportAt(facts, solved) {
    show("report");
    const form = $("#report-form");
    form.solved.checked = solved; $("#solve-fields").hidden = !solved;
    form.address.value = facts.address || "";
    if (facts.lon) { form.lon.value = facts.lon; form.lat.value = facts.lat; $("#report-where").textContent = `${facts.lon.toFixed(5)}, ${facts.lat.toFixed(5)}`; }
  }
  $("#camera-start").addEventListener("click", async () => {
    // The phone camera reads the QR where the browser can (BarcodeDetector); else type it.
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { $("#scan-token").focus(); return; }
    const video = $("#camera");
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    video.srcObject = stream; video.hidden = false; await video.play();
    const detector = new BarcodeDetector({ formats: ["qr_code"] });
    const tick = async () => {
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length) { stream.getTracks().forEach((t) => t.stop()); video.hidden = true; $("#scan-token").value = codes[0].rawValue; lookUp(codes[0].rawValue); }
      else requestAnimationFrame(tick);
    };
    tick();
  });

  // --- report -------------------------------------------------------------------------------
  async function locate() {
    const form = $("#report-form");
    if (form.lon.value) return;
    $("#report-where").textContent = T.locating;
    const where = await position();
    if (where) { form.lon.value = where.lon; form.lat.value = where.lat; $("#report-where").textContent = `${where.lon.toFixed(5)}, ${where.lat.toFixed(5)} (±${Math.round(where.accuracy)} m)`; }
    else $("#report-where").textContent = T.no_position;
  }
  $("#report-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = e.target;
    const payload = { subclass: form.subclass.value, description: form.description.value.trim(), address: form.address.value.trim() };
    if (form.lon.value) { payload.lon = Number(form.lon.value); payload.lat = Number(form.lat.value); }
    const photo = form.photo.files[0] || null;
    if (form.solved.checked) {
      // 小事不出格: one item, the report and its solution; the photos before and after.
      const photos = {};
      if (photo) photos.before = photo;
      if (form.after.files[0]) photos.tafter = form.after.files[0];
      await enqueue("solve", payload.description.slice(0, 30), { report: payload, comment: form.note.value.trim() }, null, photos);
    } else {
      await enqueue("report", payload.description.slice(0, 30), payload, photo);
    }
    form.reset(); form.lon.value = ""; form.lat.value = ""; $("#solve-fields").hidden = true;
  });
  $("#solve-toggle").addEventListener("change", (e) => { $("#solve-fields").hidden = !e.target.checked; });
  senders.solve = async (item) => {
    const failed = await uploadPhotos(item);
    if (failed) return failed;
    const report = { ...item.payload.report, photos: item.refs.before ? [item.refs.before] : [] };
    return api("POST", "/worker/solve", { client_uuid: item.id, report, comment: item.payload.comment, photos: item.refs.tafter ? [item.refs.tafter] : [] });
  };

  // --- canvass --------------------------------------------------------------------------------
  // The campaigns' forms and my households are kept on the phone for canvassing offline.
  async function loadCanvass() {
    let tasks = JSON.parse(localStorage.getItem("gridgov-canvass-tasks") || "[]");
    let forms = JSON.parse(localStorage.getItem("gridgov-canvass-forms") || "{}");
    try {
      const [t, c] = await Promise.all([api("GET", "/canvass/tasks"), api("GET", "/canvass/campaigns")]);
      if (t.ok && c.ok) {
        tasks = t.data; forms = Object.fromEntries(c.data.map((x) => [x.id, x]));
        localStorage.setItem("gridgov-canvass-tasks", JSON.stringify(tasks));
        localStorage.setItem("gridgov-canvass-forms", JSON.stringify(forms));
      }
    } catch (e) { /* offline: use what we have */ }
    const queued = new Set((await queueAll()).filter((i) => i.kind === "canvass").map((i) => i.payload.task));
    const list = $("#canvass");
    const todo = tasks.filter((t) => !queued.has(t.id));
    list.replaceChildren(...todo.map((t) => el("li", { class: "card-item household", "data-task": t.id },
      el("b", {}, t.household), " ", el("span", { class: "muted" }, t.campaign), el("br"), t.address || "",
      el("div", { class: "row" }, el("button", { type: "button", class: "primary", onclick: () => openForm(t, forms[t.campaign_id]) }, T.canvass)))));
    if (!todo.length) list.append(el("li", { class: "muted" }, T.no_tasks));
  }
  function openForm(task, campaign) {
    const form = $("#canvass-form");
    form.hidden = false;
    form.replaceChildren(el("h3", {}, `${task.household} · ${campaign ? campaign.name : ""}`),
      ...(campaign ? campaign.form : []).map((f) => {
        let input;
        if (f.kind === "choice") input = el("select", { name: f.key }, el("option", { value: "" }, "—"), ...f.choices.map((c) => el("option", { value: c }, c)));
        else if (f.kind === "photo") input = el("input", { name: f.key, type: "file", accept: "image/jpeg,image/png,image/webp", capture: "environment" });
        else input = el("input", { name: f.key, type: f.kind === "number" ? "number" : f.kind === "date" ? "date" : "text" });
        if (f.required) input.required = true;
        return el("label", {}, f.label + (f.required ? " *" : ""), " ", input);
      }),
      el("button", { type: "submit", class: "primary" }, T.save));
    form.onsubmit = async (e) => {
      e.preventDefault();
      const answers = {};
      const photos = {};
      for (const f of campaign.form) {
        if (f.kind === "photo") {
          const file = form.elements[f.key].files[0];
          answers[f.key] = null;
          if (file) photos[f.key] = file;
          continue;
        }
        const value = form.elements[f.key].value;
        answers[f.key] = value === "" ? null : (f.kind === "number" ? Number(value) : value);
      }
      form.hidden = true;
      await enqueue("canvass", task.household, { task: task.id, answers }, null, photos);
      loadCanvass();
    };
  }

  $("#send-now").addEventListener("click", async () => {
    for (const item of await queueAll()) if (item.status === "failed") { item.status = "waiting"; item.error = ""; await queuePut(item); }
    await sync();
  });

  // --- on duty: the position goes to the dispatcher (every 30 s, or after 30 m of walking) --
  let watch = null;
  let lastSent = { at: 0, lon: null, lat: null };
  async function sendPosition(p, onDuty) {
    try { await api("POST", "/dispatch/positions", { lon: p.lon, lat: p.lat, accuracy_m: p.accuracy, on_duty: onDuty }); lastSent = { at: Date.now(), lon: p.lon, lat: p.lat }; }
    catch (e) { /* offline: a stale position is worth nothing, so it is not queued */ }
  }
  function metres(a, b) { const k = 111320; return Math.hypot((a.lon - b.lon) * k * Math.cos(a.lat * Math.PI / 180), (a.lat - b.lat) * k); }
  function setDuty(on) {
    localStorage.setItem("gridgov-on-duty", on ? "1" : "");
    $("#on-duty").checked = on;
    if (watch !== null) { navigator.geolocation.clearWatch(watch); watch = null; }
    if (!navigator.geolocation) return;
    if (on) {
      watch = navigator.geolocation.watchPosition((pos) => {
        const p = { lon: pos.coords.longitude, lat: pos.coords.latitude, accuracy: pos.coords.accuracy };
        if (Date.now() - lastSent.at > 30000 || lastSent.lon === null || metres(p, lastSent) > 30) sendPosition(p, true);
      }, () => {}, { enableHighAccuracy: true, maximumAge: 10000 });
    } else if (lastSent.lon !== null) {
      sendPosition(lastSent, false);
    }
  }
  $("#on-duty").addEventListener("change", (e) => setDuty(e.target.checked));
  setDuty(localStorage.getItem("gridgov-on-duty") === "1");

  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(() => {});
  window.gridgovApp = Object.freeze({ T, el, flash, show, api, enqueue, sync, senders, versions, uploadPhotos, refsOf, queueAll, listeners, position, tabHandlers, plateHandlers });
  renderNet(); renderQueue();
  if (navigator.onLine) sync();
})();
