// gridgov worker app: my tasks, what I may verify, one event (map, photos, the reporter's
// words, the timeline) and the loop's actions (decision 0023). Actions go through the app's
// queue (app.js) with a client UUID each: sent exactly once, offline or not. New offers are
// noticed by polling a cheap pulse (a badge and a short beep), without a reload.
(function () {
  "use strict";
  const A = window.gridgovApp;
  const { T, el, flash, show, api } = A;
  const CONFIG = gridgov.strings("app-config");
  const $ = (sel) => document.querySelector(sel);
  const PULSE_MS = CONFIG.pulse_ms || 15000; // a new task shows within 30 s
  const LISTS_KEY = "gridgov-worker-lists";
  const EVENT_KEY = "gridgov-worker-event-";

  function cacheGet(key, fallback) {
    try { const v = JSON.parse(localStorage.getItem(key)); return v === null ? fallback : v; } catch (e) { return fallback; }
  }
  function cacheSet(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full: the network is the truth */ }
  }
  async function queuedByEvent() {
    const map = {};
    for (const item of await A.queueAll()) {
      if (item.kind !== "action") continue;
      (map[item.payload.event] = map[item.payload.event] || []).push(item);
    }
    return map;
  }
  const actionLabel = (action) => (T.actions && T.actions[action]) || action;

  // --- the lists ----------------------------------------------------------------------------
  let lists = cacheGet(LISTS_KEY, { tasks: [], verify: [] });
  async function loadTasks() {
    try {
      const answer = await api("GET", "/worker/tasks");
      if (answer.ok) { lists = answer.data; cacheSet(LISTS_KEY, lists); }
    } catch (e) { /* offline: the last lists */ }
    await renderTasks();
  }
  async function renderTasks() {
    const queued = await queuedByEvent();
    $("#tasks").replaceChildren(...lists.tasks.map((e) => card(e, queued[e.id])));
    if (!lists.tasks.length) $("#tasks").append(el("li", { class: "muted" }, T.no_tasks));
    $("#verify").replaceChildren(...lists.verify.map((e) => card(e, queued[e.id])));
    if (!lists.verify.length) $("#verify").append(el("li", { class: "muted" }, T.nothing_to_verify));
  }
  function card(e, queued) {
    const offered = e.offer === "offered";
    return el("li", { class: `card-item task deadline-${e.deadline || "none"}`, "data-event": e.id, "data-offer": e.offer || "", tabindex: "0", role: "button", onclick: () => openDetail(e.id), onkeydown: (ev) => { if (ev.key === "Enter") openDetail(e.id); } },
      el("div", { class: "task-head" }, el("b", {}, e.subclass_name), el("span", { class: "chip " + (offered ? "chip-new" : "chip-state") }, offered ? T.new_offer : e.state_name)),
      el("p", { class: "task-text" }, e.description),
      el("div", { class: "task-foot" },
        el("span", { class: "due due-" + (e.deadline || "none") }, e.stage_due_display ? `${T.due} ${e.stage_due_display}` : ""),
        el("span", { class: "muted" }, [e.area_name, e.number].filter(Boolean).join(" · "))),
      queued ? el("div", { class: "chip chip-queued" }, `${T.waiting_to_send}: ${queued.map((q) => actionLabel(q.payload.action)).join(", ")}`) : null);
  }

  // --- one event ----------------------------------------------------------------------------
  let current = null;
  let map = null;
  async function openDetail(id) {
    show("detail");
    current = cacheGet(EVENT_KEY + id, null) || lists.tasks.concat(lists.verify).find((e) => e.id === id) || null;
    if (current) await renderDetail();
    else $("#detail").replaceChildren(el("p", { class: "muted" }, T.loading));
    await refreshDetail(id);
  }
  async function refreshDetail(id) {
    let answer = null;
    try { answer = await api("GET", `/worker/events/${id}`); } catch (e) { answer = null; }
    if (answer && answer.ok) { current = answer.data; cacheSet(EVENT_KEY + id, current); await renderDetail(); }
    else if (!current) $("#detail").replaceChildren(el("p", { class: "muted" }, answer ? (answer.data && answer.data.message) || T.not_found : T.offline));
  }

  // What the user may do now: the server's list, moved on by what waits in the queue (an
  // accepted offer may be handled before the acceptance reached the server).
  function actionsNow(event, queued) {
    const waiting = queued.map((q) => q.payload.action);
    if (waiting.some((a) => ["decline_task", "feedback", "verify_pass", "verify_fail"].includes(a))) return [];
    let actions = (event.actions || []).filter((a) => ["accept_task", "decline_task", "feedback", "verify_pass", "verify_fail"].includes(a));
    if (waiting.includes("accept_task")) actions = ["feedback"];
    return actions;
  }

  async function renderDetail() {
    const e = current;
    const queued = (await queuedByEvent())[e.id] || [];
    const actions = actionsNow(e, queued);
    // A form being filled in survives a fresher copy of the event, while its action still may be taken.
    const open = $("#action-form") ? $("#action-form").firstElementChild : null;
    const mapNode = e.lon !== null && e.lon !== undefined ? el("div", { id: "detail-map", class: "detail-map" }) : null;
    // replaceChildren would write a null as the text "null": absent parts are dropped first.
    $("#detail").replaceChildren(...[
      el("div", { class: `detail-head deadline-${e.deadline || "none"}`, "data-event": e.id, "data-state": e.state },
        el("h2", {}, e.subclass_name),
        el("div", { class: "muted" }, e.number),
        el("div", { class: "row chips" },
          el("span", { class: "chip chip-state" }, e.state_name),
          e.deadline ? el("span", { class: "chip due-" + e.deadline }, `${T.due} ${e.stage_due_display || ""}`) : null)),
      el("h3", {}, T.reported_words),
      el("blockquote", { class: "words" }, e.description),
      el("p", { class: "muted" }, [e.area_name, e.address].filter(Boolean).join(" · ")),
      mapNode,
      (e.photos && e.photos.length) ? el("div", { class: "photos" }, ...e.photos.map((url) => el("a", { href: gridgov.safeUrl(url), target: "_blank", rel: "noopener" }, el("img", { src: gridgov.safeUrl(url), alt: T.photo, loading: "lazy" })))) : null,
      queued.length ? el("p", { class: "chip chip-queued" }, `${T.waiting_to_send}: ${queued.map((q) => actionLabel(q.payload.action)).join(", ")}`) : null,
      el("div", { class: "row detail-actions", id: "detail-actions" }, ...actionButtons(actions, queued)),
      el("div", { id: "action-form" }),
      el("h3", {}, T.timeline),
      el("ol", { class: "timeline" }, ...(e.timeline || []).map((t) => el("li", {},
        el("span", { class: "muted" }, t.at_display || ""), " ", el("b", {}, t.label), t.comment ? el("div", { class: "muted" }, t.comment) : null)))].filter(Boolean));
    if (mapNode) drawMap(mapNode, e);
    if (open && actions.includes(open.dataset.action)) $("#action-form").replaceChildren(open);
  }

  function drawMap(node, e) {
    if (map) { map.remove(); map = null; }
    if (!window.L) return;
    node.dataset.tileUrl = CONFIG.tile_url || "";
    node.dataset.tileAttribution = CONFIG.tile_attribution || "";
    map = gridgov.makeMap(node, { attributionControl: Boolean(CONFIG.tile_url) });
    map.setView([e.lat, e.lon], 17);
    L.circleMarker([e.lat, e.lon], { radius: 10, color: "#7f1010", weight: 2, fillColor: "#b71c1c", fillOpacity: 0.8 }).addTo(map);
  }

  function actionButtons(actions, queued) {
    const buttons = [];
    if (actions.includes("accept_task")) buttons.push(el("button", { type: "button", class: "primary", id: "do-accept", onclick: () => queueAction("accept_task", "", {}, queued) }, T.accept));
    if (actions.includes("decline_task")) buttons.push(el("button", { type: "button", class: "secondary", id: "do-decline", onclick: () => declineForm(queued) }, T.decline));
    if (actions.includes("feedback")) buttons.push(el("button", { type: "button", class: "primary", id: "do-handle", onclick: () => handleForm(queued) }, T.handle));
    if (actions.includes("verify_pass")) buttons.push(el("button", { type: "button", class: "primary", id: "do-verify", onclick: () => verifyForm(queued) }, T.verify));
    return buttons;
  }
  const photoInput = (name) => el("input", { name, type: "file", accept: "image/jpeg,image/png,image/webp", capture: "environment" });

  function declineForm(queued) {
    const form = el("form", { class: "stack", id: "decline-form", "data-action": "decline_task" },
      el("label", {}, T.why_decline, " ", el("textarea", { name: "reason", rows: "2", required: "" })),
      el("button", { type: "submit", class: "primary" }, T.decline));
    form.addEventListener("submit", (ev) => { ev.preventDefault(); queueAction("decline_task", form.reason.value.trim(), {}, queued); });
    $("#action-form").replaceChildren(form);
    form.scrollIntoView({ block: "start" });
    form.reason.focus();
  }
  function handleForm(queued) {
    const form = el("form", { class: "stack", id: "handle-form", "data-action": "feedback" },
      el("h3", {}, T.handle),
      el("label", {}, T.photo_before, " ", photoInput("before")),
      el("label", {}, T.photo_after, " ", photoInput("after")),
      el("label", {}, T.note, " ", el("textarea", { name: "note", rows: "2" })),
      el("button", { type: "submit", class: "primary" }, T.send_handling));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const photos = {};
      if (form.before.files[0]) photos.p0 = form.before.files[0];
      if (form.after.files[0]) photos.p1 = form.after.files[0];
      queueAction("feedback", form.note.value.trim(), photos, queued);
    });
    $("#action-form").replaceChildren(form);
    form.scrollIntoView({ block: "start" });
  }
  function verifyForm(queued) {
    const form = el("form", { class: "stack", id: "verify-form", "data-action": "verify_pass" },
      el("h3", {}, T.verify),
      el("label", {}, T.photo, " ", photoInput("photo")),
      el("label", {}, T.note, " ", el("textarea", { name: "note", rows: "2" })),
      el("div", { class: "row" },
        el("button", { type: "submit", class: "primary", value: "verify_pass", id: "verify-pass" }, T.verify_pass),
        el("button", { type: "submit", class: "secondary", value: "verify_fail", id: "verify-fail" }, T.verify_fail)));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const action = ev.submitter ? ev.submitter.value : "verify_pass";
      const note = form.note.value.trim();
      if (action === "verify_fail" && !note) { flash(T.say_why, "error"); form.note.focus(); return; }
      const photos = form.photo.files[0] ? { p0: form.photo.files[0] } : {};
      queueAction(action, note, photos, queued);
    });
    $("#action-form").replaceChildren(form);
    form.scrollIntoView({ block: "start" });
  }

  async function queueAction(action, comment, photos, queued) {
    const e = current;
    // After another queued action on this event, the version is the one that action leaves.
    const payload = { event: e.id, number: e.number, action, comment, version: e.version, chain: queued.length > 0 };
    await A.enqueue("action", `${actionLabel(action)} · ${e.subclass_name}`, payload, null, photos);
    if (current && current.id === e.id) await renderDetail();
    await renderTasks();
  }
  A.senders.action = async (item) => {
    const failed = await A.uploadPhotos(item);
    if (failed) return failed;
    const p = item.payload;
    const version = p.chain && A.versions[p.event] !== undefined ? A.versions[p.event] : p.version;
    return api("POST", `/worker/events/${p.event}/actions/${p.action}`, { client_uuid: item.id, version, comment: p.comment, photos: A.refsOf(item) });
  };

  $("#detail-back").addEventListener("click", () => { show("tasks"); loadTasks(); });
  // After each pass of the queue: the lists and the open event as the server has them now.
  A.listeners.push(() => {
    loadTasks();
    if (current && !$("#tab-detail").hidden && navigator.onLine) refreshDetail(current.id);
  });

  // --- new tasks: the pulse, a badge and a beep ----------------------------------------------
  let audio = null;
  // Browsers let a page make sound only after a touch: the first one opens the audio.
  document.addEventListener("click", () => {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    if (audio && audio.state === "suspended") audio.resume();
  });
  function beep() {
    document.body.dataset.beeps = String(Number(document.body.dataset.beeps || 0) + 1);
    if (!audio) return;
    try {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.35);
      tone.connect(gain).connect(audio.destination);
      tone.start(); tone.stop(audio.currentTime + 0.35);
    } catch (e) { /* no sound is no reason to miss the task: the badge shows it */ }
  }
  let seen = null;
  async function pulse() {
    if (!navigator.onLine) return;
    let answer;
    try { answer = await api("GET", "/worker/pulse"); } catch (e) { return; }
    if (!answer.ok) return;
    const badge = $("#tasks-badge");
    badge.textContent = String(answer.data.offers);
    badge.hidden = !answer.data.offers;
    if (seen !== null && answer.data.newest > seen) {
      beep();
      flash(T.new_task, "success");
      await loadTasks();
    }
    seen = Math.max(seen || 0, answer.data.newest);
  }
  setInterval(pulse, PULSE_MS);

  renderTasks();
  loadTasks().then(pulse);
})();
