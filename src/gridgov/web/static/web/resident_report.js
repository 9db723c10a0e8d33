// 随手拍 in three steps: (1) photo, (2) place — a pin on the map, "my position", or a
// registered place —, (3) words with the kind suggested from them; before sending, open
// reports of that kind near the pin, which the resident may follow ("me too") instead.
(function () {
  "use strict";
  const { esc, request, uuid } = window.gridgov;
  const { S, C, PHONE, flash, showError, messageOf, card, uploadPhoto, reportUrl } = window.resident;
  const form = document.getElementById("report-form");
  if (!form) return;
  const clientUuid = uuid(); // one per page: a report sent twice is stored once
  const photos = [];
  const state = { map: null, pin: null, fromPhone: null, kindChosen: false, suggestAllowed: true, sending: false, moves: 0 };
  const $ = (id) => document.getElementById(id);
  const error = $("form-error");

  // Steps --------------------------------------------------------------------------------
  function go(step) {
    form.hidden = false;
    $("nearby").hidden = true;
    form.querySelectorAll(".r-step").forEach((s) => { s.hidden = s.dataset.step !== String(step); });
    document.querySelectorAll("#steps li").forEach((li) => {
      const n = Number(li.dataset.step);
      li.classList.toggle("active", n === step);
      li.classList.toggle("done", n < step);
    });
    if (step === 2) showMap();
    window.scrollTo(0, 0);
  }
  form.querySelectorAll("[data-go]").forEach((b) => b.addEventListener("click", () => go(Number(b.dataset.go))));

  // 1. Photo -----------------------------------------------------------------------------
  $("photo-input").addEventListener("change", async (event) => {
    const file = event.target.files && event.target.files[0];
    if (!file) return;
    const status = $("photo-status");
    status.textContent = S.photo_uploading;
    try {
      const ref = await uploadPhoto(file);
      photos.push(ref);
      const img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = S.photos;
      $("photo-previews").appendChild(img);
      status.textContent = S.photo_ready;
    } catch (e) {
      status.textContent = `${S.photo_failed} ${e.message}`;
    }
    event.target.value = "";
  });

  // 2. Place -----------------------------------------------------------------------------
  function whereStatus(text, warn) {
    const node = $("where-status");
    node.textContent = text;
    node.classList.toggle("r-warn", Boolean(warn));
  }

  // The resident put the pin (a tap, a drag, a place found): the pin is theirs now, and a
  // message about the phone's position (denied, not found) no longer applies.
  function pinMoved() {
    state.fromPhone = null;
    state.touched = true;
    state.moves += 1;
    whereStatus(S.pin_placed);
  }

  function placePin(lat, lon, zoom) {
    state.pin.setLatLng([lat, lon]);
    state.map.setView([lat, lon], Math.max(state.map.getZoom(), zoom || 16));
  }

  function showMap() {
    if (state.map) { state.map.invalidateSize(); return; }
    const { map, ready } = window.residentMap.make($("report-map"));
    state.map = map;
    state.pin = L.marker(map.getCenter(), { draggable: true, autoPan: true, icon: window.residentMap.pinIcon(), title: S.pin_hint }).addTo(map);
    state.pin.on("dragend", pinMoved);
    map.on("click", (e) => { state.pin.setLatLng(e.latlng); pinMoved(); });
    ready.then((bounds) => {
      // The district's outlines frame the map, unless the resident already placed the pin.
      if (bounds && !state.fromPhone && !state.touched) { map.fitBounds(bounds, { padding: [10, 10] }); state.pin.setLatLng(map.getCenter()); }
    });
    setTimeout(() => map.invalidateSize(), 50);
  }

  $("locate").addEventListener("click", async () => {
    whereStatus(S.locating);
    const moves = state.moves;
    try {
      const at = await window.residentMap.locate();
      placePin(at.lat, at.lon, 17);
      state.fromPhone = at;
      state.touched = true;
      whereStatus(S.located);
    } catch (e) {
      // The pin stays usable: drag it or search (unless the resident already did).
      if (state.moves === moves) whereStatus(e.message, true);
    }
  });

  async function searchPlaces() {
    const q = $("place-q").value.trim();
    const list = $("place-results");
    if (!q) { list.hidden = true; return; }
    const answer = await request("GET", "/public/places?q=" + encodeURIComponent(q));
    list.hidden = false;
    if (answer.status === 404 && !Array.isArray(answer.data)) {
      // No place search on this server: the pin and "my position" still work.
      document.querySelector(".r-search").hidden = true;
      list.hidden = true;
      return;
    }
    if (!answer.ok) { list.innerHTML = `<li class="r-muted">${esc(messageOf(answer))}</li>`; return; }
    const places = answer.data || [];
    list.innerHTML = places.length
      ? places.map((p, i) => `<li><button type="button" data-i="${i}"><b>${esc(p.label)}</b><small>${esc(p.address || "")}</small></button></li>`).join("")
      : `<li class="r-muted">${esc(S.no_places)}</li>`;
    list.querySelectorAll("button[data-i]").forEach((b) => b.addEventListener("click", () => {
      const p = places[Number(b.dataset.i)];
      placePin(p.lat, p.lon, 17);
      pinMoved();
      if (!$("address").value) $("address").value = p.address || p.label || "";
      list.hidden = true;
    }));
  }
  $("place-search").addEventListener("click", searchPlaces);
  $("place-q").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); searchPlaces(); } });

  // Where the report is: the phone's own coordinates when the pin is where the phone put
  // it (sent in the phone's system), else the pin (WGS-84, the map's system).
  function where() {
    if (state.fromPhone) return { lon: state.fromPhone.raw[0], lat: state.fromPhone.raw[1], crs: state.fromPhone.crs };
    const p = state.pin.getLatLng();
    return { lon: Number(p.lng.toFixed(7)), lat: Number(p.lat.toFixed(7)), crs: "wgs84" };
  }

  // 3. Words and the kind suggested from them ---------------------------------------------
  const select = $("subclass");
  select.addEventListener("change", () => { state.kindChosen = Boolean(select.value); });
  let suggestTimer = null;
  $("description").addEventListener("input", () => {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(suggest, 500);
  });

  async function suggest() {
    const text = $("description").value.trim();
    const box = $("suggestions");
    if (!state.suggestAllowed || text.length < 3) return;
    // Signed out: the public suggestion (at most 500 characters; the first ones decide).
    const path = C.signed_in ? "/events/suggest?text=" : "/public/suggest?text=";
    const answer = await request("GET", path + encodeURIComponent(C.signed_in ? text : text.slice(0, 500)));
    if ([401, 403, 404].includes(answer.status)) { state.suggestAllowed = false; return; } // the list is there
    if (!answer.ok || !Array.isArray(answer.data) || !answer.data.length) { box.hidden = true; return; }
    const known = new Set([...select.options].map((o) => o.value));
    const items = answer.data.filter((s) => known.has(s.code));
    if (!items.length) { box.hidden = true; return; }
    box.innerHTML = `<span>${esc(S.suggested)}</span>` + items.map((s) => `<button type="button" data-code="${esc(s.code)}">${esc(select.querySelector(`option[value="${CSS.escape(s.code)}"]`).textContent)}</button>`).join("");
    box.hidden = false;
    box.querySelectorAll("button").forEach((b) => b.addEventListener("click", () => { select.value = b.dataset.code; state.kindChosen = true; markChip(); }));
    if (!state.kindChosen) select.value = items[0].code;
    markChip();
  }
  function markChip() {
    $("suggestions").querySelectorAll("button").forEach((b) => b.classList.toggle("on", b.dataset.code === select.value));
  }

  // Send: nearby reports first, then the report ----------------------------------------
  function check() {
    const phone = $("reporter-phone");
    if (!$("description").value.trim()) return S.describe;
    if (!select.value) return S.choose_kind;
    if (phone && phone.value.trim() && !PHONE.test(phone.value.replace(/\s+/g, ""))) return S.phone_invalid;
    return "";
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problem = check();
    showError(error, problem);
    if (problem || state.sending) return;
    if (!state.pin) { go(2); whereStatus(S.place_first, true); return; }
    const shown = await showNearby();
    if (!shown) await send();
  });

  async function showNearby() {
    const at = where();
    const query = new URLSearchParams({ lon: at.lon, lat: at.lat, subclass: select.value });
    if (at.crs !== "wgs84") query.set("crs", at.crs);
    const answer = await request("GET", "/resident/nearby?" + query);
    if (!answer.ok || !Array.isArray(answer.data) || !answer.data.length) return false; // none, or no "me too" here
    const follow = C.resident
      ? (item) => `<button type="button" class="r-primary r-me-too" data-number="${esc(item.number)}">${esc(S.me_too)}</button>`
      : (item) => `<a class="r-secondary r-me-too" href="${esc(C.login_url)}?next=${encodeURIComponent(reportUrl(item.number))}">${esc(S.me_too_sign_in)}</a>`;
    $("nearby-list").innerHTML = answer.data.map((item) => card(item, follow(item))).join("");
    $("nearby-list").querySelectorAll("button.r-me-too").forEach((b) => b.addEventListener("click", () => meToo(b)));
    form.hidden = true;
    $("nearby").hidden = false;
    window.scrollTo(0, 0);
    return true;
  }

  async function meToo(button) {
    button.disabled = true;
    const number = button.dataset.number;
    const answer = await request("POST", `/resident/reports/${encodeURIComponent(number)}/follow`);
    if (!answer.ok) { button.disabled = false; flash(messageOf(answer), "error"); return; }
    done(number, S.following, true);
  }
  $("send-anyway").addEventListener("click", send);
  $("nearby-back").addEventListener("click", () => go(3));

  async function send() {
    if (state.sending) return;
    state.sending = true;
    $("send").disabled = $("send-anyway").disabled = true;
    flash(S.sending);
    const at = where();
    const body = {
      subclass: select.value,
      description: $("description").value.trim(),
      lon: at.lon,
      lat: at.lat,
      crs: at.crs,
      address: $("address").value.trim(),
      client_uuid: clientUuid,
      photos: photos.slice(),
    };
    const name = $("reporter-name"), phone = $("reporter-phone");
    if (name) body.reporter_name = name.value.trim();
    if (phone) body.reporter_phone = phone.value.replace(/\s+/g, "");
    const answer = await request("POST", C.signed_in ? "/events/" : "/events/public", body);
    state.sending = false;
    $("send").disabled = $("send-anyway").disabled = false;
    if (!answer.ok) {
      flash("", "");
      go(3);
      showError(error, messageOf(answer));
      return;
    }
    const anonymous = !C.signed_in;
    if (!anonymous) done(answer.data.number, S.follow_signed_in, true);
    else if (body.reporter_phone) done(answer.data.number, S.follow_how, false);
    else done(answer.data.number, S.keep_number, true); // no phone: only its public page
  }

  function done(number, how, canOpen) {
    flash("", "");
    form.hidden = true;
    $("nearby").hidden = true;
    $("steps").hidden = true;
    $("done").hidden = false;
    $("done-number").textContent = number;
    $("done-how").textContent = how || "";
    const open = $("done-open");
    open.href = canOpen ? reportUrl(number) : C.lookup_url + "?number=" + encodeURIComponent(number);
    open.textContent = canOpen ? S.open_report : S.look_up;
    window.scrollTo(0, 0);
  }
})();
