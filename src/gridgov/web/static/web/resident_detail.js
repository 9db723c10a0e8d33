// One report as a resident sees it (/r/reports/<number>/ and /r/lookup/): the public steps,
// photos and replies, and what this visitor may do — follow, add, rate, say it is still
// not fixed, show or hide their name, take their data off it. The API decides; the page
// offers only what the report's can_* flags allow.
(function () {
  "use strict";
  const { esc, safeUrl, request } = window.gridgov;
  const { S, C, PHONE, flash, showError, messageOf, when, stateBadge, uploadPhoto, reportUrl } = window.resident;
  const $ = (id) => document.getElementById(id);
  const box = $("report");
  if (!box) return;
  const STEPS = ["received", "filed", "dispatched", "handled", "closed", "rated"];

  function progress(item) {
    if (item.public_state === "refused") return "";
    const at = STEPS.indexOf(item.public_state);
    return `<ol class="r-progress">${STEPS.map((key, i) => `<li class="${i < at ? "done" : i === at ? "now" : ""}">${esc((S.public_states || {})[key] || key)}</li>`).join("")}</ol>`;
  }

  function fact(label, value) {
    return value ? `<dt>${esc(label)}</dt><dd>${esc(value)}</dd>` : "";
  }

  function render(item) {
    const words = item.description !== undefined ? item.description : item.public_text;
    const satisfaction = item.satisfaction ? (S.satisfaction_names || {})[item.satisfaction] || item.satisfaction : "";
    const photos = (item.photos || []).map((url) => `<a href="${esc(safeUrl(url))}"><img src="${esc(safeUrl(url))}" alt="${esc(S.photos)}" loading="lazy"></a>`).join("");
    const timeline = (item.timeline || []).map((t) => `<li><time>${esc(when(t.at))}</time><b>${esc(t.label)}</b>${t.text ? `<p>${esc(t.text)}</p>` : ""}</li>`).join("");
    box.hidden = false;
    box.innerHTML = `
      <div class="r-report-head"><b>${esc(item.subclass_name)}</b>${stateBadge(item)}</div>
      ${progress(item)}
      <p class="r-words">${esc(words)}</p>
      ${photos ? `<div class="r-photos">${photos}</div>` : ""}
      <dl class="r-facts">
        ${fact(S.reported_at, when(item.reported_at))}
        ${fact(S.closed_at, when(item.closed_at))}
        ${fact(S.refusal_reason, item.refusal_reason)}
        ${fact(S.satisfaction, satisfaction)}
        ${fact(S.reporter_name, item.reporter_name)}
      </dl>
      ${timeline ? `<h2>${esc(S.timeline)}</h2><ol class="r-timeline">${timeline}</ol>` : ""}`;
  }

  function notFound(text) {
    box.hidden = false;
    box.innerHTML = `<p class="r-muted">${esc(text)}</p><p><a href="${esc(C.lookup_url)}">${esc(S.look_up)}</a></p>`;
  }

  // The forms ------------------------------------------------------------------------------
  const number = box.dataset.number;
  const actions = $("report-actions");

  function show(id, on) { const node = $(id); if (node) node.hidden = !on; }

  function offer(item, mine) {
    if (!actions) return;
    actions.hidden = false;
    const via = mine ? item.following_via : null;
    const signInUrl = `${C.login_url}?next=${encodeURIComponent(reportUrl(number))}`;
    const open = !["closed", "rated", "refused"].includes(item.public_state);
    const follow = C.resident && !via && open, unfollow = Boolean(via) && via !== "reporter", signIn = !C.signed_in && open;
    show("follow-panel", follow || unfollow || signIn); // staff follow nothing here
    show("follow-button", follow);
    show("unfollow-button", unfollow);
    show("follow-sign-in", signIn);
    $("follow-sign-in").href = safeUrl(signInUrl);
    show("add-form", mine && item.can_add);
    show("rate-form", mine && item.can_rate);
    show("reopen-form", mine && item.can_reopen);
    show("reporter-panel", via === "reporter");
    if (via === "reporter") showPublicity(item);
    const scale = $("rate-scale");
    if (scale && !scale.querySelector("input")) {
      scale.insertAdjacentHTML("beforeend", Object.entries(S.satisfaction_names || {}).map(([value, label]) =>
        `<label class="r-radio"><input type="radio" name="satisfaction" value="${esc(value)}"> ${esc(label)}</label>`).join(""));
    }
  }

  // Whether the reporter chose to be named: their report's public page names them then.
  // Read from the resident API (the public view is 404 for hidden or non-public reports).
  function showPublicity(item) {
    $("publicity").checked = Boolean(item.reporter_named);
  }

  async function load() {
    let answer = null;
    if (C.signed_in) {
      answer = await request("GET", `/resident/reports/${encodeURIComponent(number)}`);
      if (answer.ok) { render(answer.data); offer(answer.data, true); return; }
    }
    answer = await request("GET", `/public/reports/${encodeURIComponent(number)}`);
    if (answer.ok) { render(answer.data); offer(answer.data, false); return; }
    if (actions) actions.hidden = true;
    notFound(S.not_found);
  }

  async function act(method, path, body, okText) {
    const answer = await request(method, `/resident/reports/${encodeURIComponent(number)}/${path}`, body);
    if (!answer.ok) { flash(messageOf(answer), "error"); return false; }
    flash(okText, "ok");
    await load();
    return true;
  }

  async function photoRefs(form) {
    const input = form.querySelector("input[type=file]");
    const file = input && input.files && input.files[0];
    return file ? [await uploadPhoto(file)] : [];
  }

  function busy(form, on) { form.querySelectorAll("button").forEach((b) => { b.disabled = on; }); }

  function wire(id, handler) {
    const form = $(id);
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      busy(form, true);
      try { if (await handler(form)) form.reset(); } catch (e) { flash(e.message, "error"); }
      busy(form, false);
    });
  }

  if (number && actions) {
    wire("add-form", async (form) => {
      const text = form.elements.text.value.trim();
      const photos = await photoRefs(form);
      if (!text && !photos.length) { flash(S.describe, "error"); return false; }
      return act("POST", "additions", { text, photos }, S.add_saved);
    });
    wire("rate-form", async (form) => {
      const chosen = form.querySelector("input[name=satisfaction]:checked");
      if (!chosen) { flash(S.choose_rating, "error"); return false; }
      return act("POST", "rating", { satisfaction: chosen.value, comment: form.elements.comment.value.trim() }, S.rating_saved);
    });
    wire("reopen-form", async (form) => {
      const text = form.elements.text.value.trim();
      if (!text) { flash(S.describe, "error"); return false; }
      const photos = await photoRefs(form);
      if (!photos.length) { flash(S.reopen_photo, "error"); return false; }
      return act("POST", "reopen", { text, photos }, S.reopen_saved);
    });
    $("follow-button").addEventListener("click", () => act("POST", "follow", null, S.following));
    $("unfollow-button").addEventListener("click", () => act("DELETE", "follow", null, S.unfollowed));
    $("publicity").addEventListener("change", (e) => act("POST", "publicity", { reporter_named: e.target.checked }, S.publicity_saved));
    $("withdraw").addEventListener("click", async () => {
      if (!window.confirm(S.withdraw_confirm)) return;
      const answer = await request("POST", `/resident/reports/${encodeURIComponent(number)}/withdraw`);
      if (!answer.ok) { flash(messageOf(answer), "error"); return; }
      flash(S.withdrawn, "ok");
      await load();
    });
    load();
  }

  // /r/lookup/: number and phone, for a visitor who is not signed in ------------------------
  const lookup = $("lookup-form");
  if (lookup) {
    const params = new URLSearchParams(window.location.search);
    if (params.get("number")) $("lookup-number").value = params.get("number").replace(/\D/g, "").slice(0, 20);
    lookup.addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = $("lookup-error");
      const body = { number: $("lookup-number").value.trim(), phone: $("lookup-phone").value.replace(/\s+/g, "") };
      if (!/^\d{1,20}$/.test(body.number)) { showError(error, S.not_found); return; }
      if (!PHONE.test(body.phone)) { showError(error, S.phone_invalid); return; }
      showError(error, "");
      const answer = await request("POST", "/resident/lookup", body);
      if (!answer.ok) { box.hidden = true; showError(error, answer.status === 404 ? S.not_found : messageOf(answer)); return; }
      if (C.signed_in) { window.location.assign(reportUrl(answer.data.number)); return; } // now followed
      render(answer.data);
      box.insertAdjacentHTML("beforeend", `<p class="r-note">${esc(S.sign_in_hint)}</p><a class="r-primary r-wide" href="${esc(C.login_url)}?next=${encodeURIComponent(reportUrl(answer.data.number))}">${esc(S.sign_in_to_follow)}</a>`);
    });
  }
})();
