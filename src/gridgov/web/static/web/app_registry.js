// gridgov worker app: the registry of my grid on the phone (issue 12). The grid's households,
// people, special groups, who needs a visit and the door-plate tokens come as one bundle
// (GET /worker/registry/bundle) and are kept in IndexedDB encrypted with AES-GCM under a key
// from the server session (GET /worker/registry/key). The key stays in memory and in this
// tab's sessionStorage, never beside the data; signing out wipes both. Visits and household
// changes go through the app's outbox (app.js) with a client UUID each.
(function () {
  "use strict";
  const A = window.gridgovApp;
  const { T, el, flash, show, api } = A;
  const $ = (sel) => document.querySelector(sel);
  const DB_NAME = "gridgov-registry";
  const KEY_ITEM = "gridgov-registry-key";
  const subtle = window.crypto && window.crypto.subtle; // only in a secure context
  let bundle = null; // the decrypted bundle, in memory only
  let current = null; // { household, code }: the open card and the plate it was opened by

  // --- the key and the encrypted copy ------------------------------------------------------
  let key = null; // { id, crypto }
  async function keyGet() {
    if (key) return key;
    let raw = null;
    try { raw = JSON.parse(sessionStorage.getItem(KEY_ITEM)); } catch (e) { raw = null; }
    if (!raw && navigator.onLine) {
      try {
        const answer = await api("GET", "/worker/registry/key");
        if (answer.ok) { raw = answer.data; sessionStorage.setItem(KEY_ITEM, JSON.stringify(raw)); }
      } catch (e) { raw = null; }
    }
    if (!raw || !subtle) return null;
    const bytes = Uint8Array.from(atob(raw.key), (c) => c.charCodeAt(0));
    key = { id: raw.id, crypto: await subtle.importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]) };
    return key;
  }
  function dbOpen() {
    return new Promise((resolve, reject) => {
      const open = indexedDB.open(DB_NAME, 1);
      open.onupgradeneeded = () => open.result.createObjectStore("copy", { keyPath: "name" });
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
  }
  async function copyRead() {
    const handle = await dbOpen();
    return new Promise((resolve) => {
      const request = handle.transaction("copy").objectStore("copy").get("bundle");
      request.onsuccess = () => { handle.close(); resolve(request.result || null); };
      request.onerror = () => { handle.close(); resolve(null); };
    });
  }
  async function copyWrite(record) {
    const handle = await dbOpen();
    return new Promise((resolve, reject) => {
      const tx = handle.transaction("copy", "readwrite");
      tx.objectStore("copy").put(record);
      tx.oncomplete = () => { handle.close(); resolve(); };
      tx.onerror = () => { handle.close(); reject(tx.error); };
    });
  }
  // Gone from the phone: the copy, the key, what is on screen.
  async function wipe() {
    bundle = null; key = null; current = null;
    sessionStorage.removeItem(KEY_ITEM);
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
  }
  async function save(data) {
    const k = await keyGet();
    if (!k) return;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = new TextEncoder().encode(JSON.stringify(data));
    const sealed = await subtle.encrypt({ name: "AES-GCM", iv }, k.crypto, plain);
    await copyWrite({ name: "bundle", key_id: k.id, iv, data: sealed, saved: new Date().toISOString() });
  }
  async function open() {
    const record = await copyRead();
    if (!record) return null;
    const k = await keyGet();
    // Another session's copy cannot be opened by this session's key: it is dropped.
    if (!k || k.id !== record.key_id) { if (k) await wipe(); return null; }
    try {
      const plain = await subtle.decrypt({ name: "AES-GCM", iv: record.iv }, k.crypto, record.data);
      return JSON.parse(new TextDecoder().decode(plain));
    } catch (e) { await wipe(); return null; }
  }

  // A new person's details wait in the outbox sealed with the same key: an ID number is not
  // left in clear on the phone while the network is away.
  async function seal(value) {
    const k = await keyGet();
    if (!k) return null;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await subtle.encrypt({ name: "AES-GCM", iv }, k.crypto, new TextEncoder().encode(JSON.stringify(value)));
    return { key_id: k.id, iv, data };
  }
  async function unseal(sealed) {
    const k = await keyGet();
    if (!k || k.id !== sealed.key_id) throw new Error("another session's key");
    const plain = await subtle.decrypt({ name: "AES-GCM", iv: sealed.iv }, k.crypto, sealed.data);
    return JSON.parse(new TextDecoder().decode(plain));
  }

  // Online: a fresh bundle (and who needs a visit from the care API); offline: the copy.
  let loading = null;
  let retries = 0;
  function load() {
    if (!loading) loading = loadOnce().finally(() => { loading = null; });
    return loading;
  }
  async function loadOnce() {
    let fresh = null;
    if (navigator.onLine) {
      try {
        const answer = await api("GET", "/worker/registry/bundle");
        if (answer.ok) { fresh = answer.data; retries = 0; }
        // Signed out elsewhere (401) or no longer a worker of a grid (403): the copy goes too.
        else if (answer.status === 401 || answer.status === 403) { await wipe(); renderStatus(answer.data && answer.data.message); render(); return; }
        // A busy server: the fresher copy (a visit just stored moved the due date) shortly.
        else if (answer.status >= 500 && retries < 5) { retries += 1; setTimeout(load, 2000 * retries); }
      } catch (e) { fresh = null; }
    }
    if (fresh) {
      bundle = fresh;
      try { await save(fresh); } catch (e) { /* no room or no crypto: online only */ }
    } else if (!bundle) {
      try { bundle = await open(); } catch (e) { bundle = null; }
    }
    render();
  }

  // --- finding a household -------------------------------------------------------------------
  const households = () => (bundle ? bundle.households : []);
  const householdOf = (id) => households().find((h) => h.id === id) || null;
  const peopleOf = (id) => (bundle ? bundle.people.filter((p) => p.household_id === id) : []);
  function search(text) {
    const q = text.trim().toLowerCase();
    if (!q || !bundle) return [];
    const digits = /^\d{4}$/.test(q);
    const hits = new Set();
    for (const h of bundle.households) if ((h.title + " " + h.address).toLowerCase().includes(q)) hits.add(h.id);
    for (const p of bundle.people) {
      if (p.name.toLowerCase().includes(q) || (digits && p.phone.endsWith(q))) hits.add(p.household_id);
    }
    return [...hits].slice(0, 30).map(householdOf).filter(Boolean);
  }
  // A scanned door plate: its household, from the copy (offline too). True when it was one.
  async function plateOpen(text) {
    const token = text.trim().replace(/\/+$/, "").split("/c/").pop();
    if (!bundle) await load();
    const household = households().find((h) => h.plate && h.plate === token);
    if (!household) return false;
    show("registry");
    openHousehold(household.id, token);
    return true;
  }

  // --- what is shown ---------------------------------------------------------------------------
  function renderStatus(message) {
    const status = $("#registry-status");
    if (message) { status.textContent = message; return; }
    if (!bundle) { status.textContent = navigator.onLine ? T.r_loading : T.r_no_copy; return; }
    const grids = bundle.grids.map((g) => g.name).join("、");
    status.textContent = `${grids} · ${bundle.households.length} ${T.r_households} · ${T.r_as_of} ${new Date(bundle.generated_at).toLocaleString()}`;
  }
  function tagChips(tags) {
    return (tags || []).map((t) => el("span", { class: "chip " + (t.overdue ? "chip-overdue" : "chip-tag"), "data-tag": t.key },
      t.name, t.visit_due ? (t.overdue ? ` · ${T.r_overdue} ${t.visit_due}` : ` · ${T.r_visit_by} ${t.visit_due}`) : ""));
  }
  async function queuedFor(test) {
    return (await A.queueAll()).filter((i) => (i.kind === "visit" || i.kind === "change") && test(i.payload));
  }
  async function renderDue() {
    const list = $("#registry-due");
    const due = bundle ? bundle.due : [];
    const waiting = new Set((await queuedFor(() => true)).filter((i) => i.kind === "visit").map((i) => i.payload.resident_id));
    list.replaceChildren(...due.map((d) => el("li", { class: "card-item due-item", "data-resident": d.resident_id, "data-household": d.household_id, tabindex: "0", role: "button", onclick: () => openHousehold(d.household_id) },
      el("b", {}, d.name), " ", el("span", { class: "muted" }, d.household_title), el("br"),
      ...tagChips(d.tags),
      waiting.has(d.resident_id) ? el("div", { class: "chip chip-queued" }, T.r_visit_waiting) : null)));
    if (!due.length) list.append(el("li", { class: "muted" }, bundle ? T.r_nobody_due : T.r_no_copy));
  }
  function renderResults() {
    const q = $("#registry-q").value;
    const list = $("#registry-results");
    if (!q.trim()) { list.replaceChildren(); return; }
    const hits = search(q);
    list.replaceChildren(...hits.map((h) => el("li", { class: "card-item household-hit", "data-household": h.id, tabindex: "0", role: "button", onclick: () => openHousehold(h.id) },
      el("b", {}, h.title), el("br"),
      el("span", { class: "muted" }, [h.grid_name, h.occupancy_name, `${peopleOf(h.id).length} ${T.r_people}`].join(" · ")))));
    if (!hits.length) list.append(el("li", { class: "muted" }, T.r_no_match));
  }
  function render() {
    renderStatus();
    renderDue();
    renderResults();
    if (current && !$("#registry-card").hidden) openHousehold(current.household, current.code);
  }

  // --- a household's card ------------------------------------------------------------------
  async function openHousehold(id, code) {
    const household = householdOf(id);
    if (!household) return;
    // A form being filled in survives a fresher copy of the same household.
    const same = current && current.household === id && !$("#registry-card").hidden;
    const filling = same && $("#registry-form") ? $("#registry-form").firstElementChild : null;
    current = { household: id, code: code || (current && current.household === id ? current.code : null) };
    const people = peopleOf(id);
    const queued = await queuedFor((p) => p.household_id === id);
    const card = $("#registry-card");
    card.hidden = false;
    $("#registry-find").hidden = true;
    card.replaceChildren(...[
      el("button", { type: "button", class: "secondary back", id: "registry-back", onclick: closeHousehold }, "‹ " + T.r_back),
      el("div", { class: "detail-head household-head", "data-household": id },
        el("h2", { id: "household-title" }, household.title),
        el("div", { class: "muted" }, [household.grid_name, household.occupancy_name].join(" · ")),
        current.code ? el("span", { class: "chip chip-tag", id: "scanned" }, T.r_scanned) : null),
      queued.length ? el("p", { class: "chip chip-queued", id: "household-queued" }, `${T.waiting_to_send}: ${queued.map((q) => q.label).join("; ")}`) : null,
      el("h3", {}, T.r_people_here),
      el("ul", { class: "cards", id: "household-people" }, ...people.map((p) => personItem(p, household))),
      people.length ? null : el("p", { class: "muted" }, T.r_nobody_here),
      el("div", { class: "row" },
        el("button", { type: "button", class: "secondary", id: "do-new-resident", onclick: () => changeForm(household, "registered") }, T.r_new_resident),
        el("button", { type: "button", class: "secondary", id: "do-move-in", onclick: () => changeForm(household, "moved_in") }, T.r_move_in)),
      el("div", { id: "registry-form" })].filter(Boolean));
    if (filling) $("#registry-form").replaceChildren(filling);
    else window.scrollTo(0, 0);
  }
  function closeHousehold() {
    current = null;
    $("#registry-card").hidden = true;
    $("#registry-find").hidden = false;
    renderDue();
  }
  function personItem(p, household) {
    const planned = (p.tags || []).some((t) => t.visit_due);
    return el("li", { class: "card-item person", "data-resident": p.id },
      el("b", {}, p.name), " ",
      el("span", { class: "muted" }, [p.relation, p.gender === "F" ? T.r_female : T.r_male, `${p.age}${T.r_years}`, p.phone].filter(Boolean).join(" · ")),
      household.head_id === p.id ? el("span", { class: "chip chip-tag" }, T.r_head) : null,
      el("div", { class: "chips" }, ...tagChips(p.tags)),
      el("div", { class: "row" },
        planned || (p.tags || []).length ? el("button", { type: "button", class: "primary do-visit", onclick: () => visitForm(p) }, T.r_visit) : null,
        el("button", { type: "button", class: "secondary do-move-out", onclick: () => changeForm(household, "moved_out", p) }, T.r_move_out)));
  }

  // --- a visit -------------------------------------------------------------------------------
  function visitForm(person) {
    const planned = (person.tags || []).filter((t) => t.visit_due);
    const outcomes = [["well", T.r_well], ["needs_help", T.r_needs_help], ["not_home", T.r_not_home]];
    const form = el("form", { class: "stack", id: "visit-form" },
      el("h3", {}, `${T.r_visit}: ${person.name}`),
      planned.length > 1 ? el("label", {}, T.r_group, " ", el("select", { name: "tag" }, el("option", { value: "" }, T.r_all_groups), ...planned.map((t) => el("option", { value: t.key }, t.name)))) : null,
      el("fieldset", { class: "outcomes" }, el("legend", {}, T.r_outcome),
        ...outcomes.map(([value, label], i) => el("label", { class: "check" }, el("input", { type: "radio", name: "outcome", value, ...(i === 0 ? { checked: "" } : {}) }), " ", label))),
      el("label", {}, T.note, " ", el("textarea", { name: "note", rows: "3", maxlength: "1000" })),
      el("label", {}, T.photo, " ", el("input", { name: "photo", type: "file", accept: "image/jpeg,image/png,image/webp", capture: "environment" })),
      el("button", { type: "submit", class: "primary" }, T.r_save_visit));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const payload = {
        household_id: person.household_id, resident_id: person.id, tag: form.tag ? form.tag.value : "",
        outcome: form.outcome.value, note: form.note.value.trim(),
        code: current && current.code ? current.code : "", visited_at: new Date().toISOString(),
      };
      const photos = form.photo.files[0] ? { p0: form.photo.files[0] } : {};
      $("#registry-form").replaceChildren();
      await A.enqueue("visit", `${person.name} · ${T.r_visit}`, payload, null, photos);
      if (current) openHousehold(current.household, current.code);
    });
    $("#registry-form").replaceChildren(form);
    form.scrollIntoView({ block: "start" });
  }
  A.senders.visit = async (item) => {
    const failed = await A.uploadPhotos(item);
    if (failed) return failed;
    const p = item.payload;
    const body = { client_uuid: item.id, resident_id: p.resident_id, outcome: p.outcome, note: p.note, visited_at: p.visited_at };
    if (p.tag) body.tag = p.tag;
    if (p.code) body.code = p.code;
    const refs = A.refsOf(item);
    if (refs.length) body.photo = refs[0];
    return api("POST", "/care/visits", body);
  };

  // --- a change of the household: moved out, moved in, new resident ------------------------------
  // The check character of a mainland ID number (GB 11643), checked on the phone; the server
  // answers the rest (the area code, the birth date, a number already registered).
  const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  function idValid(text) {
    const value = text.trim().toUpperCase();
    if (!/^\d{17}[\dX]$/.test(value)) return false;
    const sum = WEIGHTS.reduce((total, w, i) => total + w * Number(value[i]), 0);
    return "10X98765432"[sum % 11] === value[17];
  }
  const today = () => new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  function changeForm(household, kind, person) {
    const newPerson = kind !== "moved_out";
    // Moved in: someone of my grid (moved from their household to this one), or from elsewhere.
    const others = kind === "moved_in" && bundle ? bundle.people.filter((p) => p.household_id !== household.id) : [];
    const choices = new Map(others.map((p) => [`${p.name} · ${(householdOf(p.household_id) || {}).title || ""}`, p]));
    const required = kind === "registered" ? { required: "" } : {};
    const title = { registered: T.r_new_resident, moved_in: T.r_move_in, moved_out: T.r_move_out }[kind];
    const form = el("form", { class: "stack", id: "change-form", "data-kind": kind },
      el("h3", {}, person ? `${title}: ${person.name}` : title),
      kind === "moved_in" ? el("label", {}, T.r_from_grid, " ",
        el("input", { name: "from_grid", list: "grid-people", autocomplete: "off" }),
        el("datalist", { id: "grid-people" }, ...[...choices.keys()].map((value) => el("option", { value })))) : null,
      kind === "moved_in" ? el("p", { class: "muted" }, T.r_or_from_elsewhere) : null,
      newPerson ? el("label", {}, T.r_name + " *", " ", el("input", { name: "name", maxlength: "50", ...required })) : null,
      newPerson ? el("label", {}, T.r_id_number + " *", " ", el("input", { name: "id_number", maxlength: "18", autocomplete: "off", inputmode: "text", ...required })) : null,
      newPerson ? el("p", { class: "form-error", id: "change-error", role: "alert", hidden: "" }) : null,
      newPerson ? el("label", {}, T.r_phone, " ", el("input", { name: "phone", maxlength: "11", inputmode: "tel" })) : null,
      newPerson ? el("label", {}, T.r_relation, " ", el("input", { name: "relation", maxlength: "20" })) : null,
      kind !== "registered" ? el("label", {}, kind === "moved_out" ? T.r_moved_to : T.r_moved_from, " ", el("input", { name: "other_place", maxlength: "200" })) : null,
      el("label", {}, T.r_date, " ", el("input", { name: "happened_on", type: "date", max: today(), value: today() })),
      el("label", {}, T.note, " ", el("input", { name: "note", maxlength: "300" })),
      el("button", { type: "submit", class: "primary" }, T.save));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const error = form.querySelector("#change-error");
      const payload = { household_id: household.id, kind, happened_on: form.happened_on.value || null, note: form.note.value.trim() };
      if (form.other_place) payload.other_place = form.other_place.value.trim();
      if (person) payload.resident_id = person.id;
      let label = `${title} · ${household.title}`;
      const fromGrid = form.from_grid ? form.from_grid.value.trim() : "";
      if (fromGrid) {
        const mover = choices.get(fromGrid);
        if (!mover) { error.textContent = T.r_pick_from_list; error.hidden = false; form.from_grid.focus(); return; }
        payload.resident_id = mover.id;
        payload.other_household_id = mover.household_id;
        label = `${title}: ${mover.name} · ${household.title}`;
      } else if (newPerson) {
        if (!form.name.value.trim()) { error.textContent = T.required; error.hidden = false; form.name.focus(); return; }
        const idNumber = form.id_number.value.trim().toUpperCase();
        if (!idValid(idNumber)) { error.textContent = T.r_id_invalid; error.hidden = false; form.id_number.focus(); return; }
        payload.person = { name: form.name.value.trim(), id_number: idNumber };
        if (form.phone.value.trim()) payload.person.phone = form.phone.value.trim();
        if (form.relation.value.trim()) payload.person.relation = form.relation.value.trim();
        label = `${title}: ${payload.person.name} · ${household.title}`;
      } else {
        label = `${title}: ${person.name} · ${household.title}`;
      }
      if (payload.person) {
        const sealed = await seal(payload.person).catch(() => null);
        if (sealed) { payload.person_sealed = sealed; delete payload.person; }
      }
      $("#registry-form").replaceChildren();
      await A.enqueue("change", label, payload);
      if (current) openHousehold(current.household, current.code);
    });
    $("#registry-form").replaceChildren(form);
    form.scrollIntoView({ block: "start" });
  }
  A.senders.change = async (item) => {
    const { household_id: id, person_sealed: sealed, ...body } = item.payload;
    if (sealed) {
      // Signed out since (a new session, a new key): it cannot be opened, so it is refused.
      try { body.person = await unseal(sealed); } catch (e) { return { ok: false, status: 400, data: { message: T.r_sealed_lost } }; }
    }
    return api("POST", `/homes/households/${id}/changes`, { ...body, client_uuid: item.id });
  };

  // --- wiring ----------------------------------------------------------------------------------
  $("#registry-q").addEventListener("input", renderResults);
  $("#registry-search").addEventListener("submit", (e) => { e.preventDefault(); renderResults(); });
  A.plateHandlers.push(plateOpen);
  A.tabHandlers.registry = () => { if (!bundle || navigator.onLine) load(); };
  // After each pass of the outbox: the server's copy again (a visit moved the next due date).
  A.listeners.push(() => { if (navigator.onLine) load(); else render(); });
  // Signing out wipes the copy and the key before the session ends.
  const signOut = document.querySelector("form.sign-out");
  if (signOut) signOut.addEventListener("submit", async (e) => {
    e.preventDefault();
    await wipe();
    signOut.submit();
  });
  window.gridgovRegistry = Object.freeze({ load, wipe, plateOpen, openHousehold, idValid });
  load();
})();
