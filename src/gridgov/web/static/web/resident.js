// The resident pages' shared helpers (issue 11): words and settings from the page's
// json_script blocks, a status line, photo uploads, report cards, and the two small pages
// (phone sign-in, my reports). Every piece of data goes through gridgov.esc / safeUrl.
(function () {
  "use strict";
  const { esc, safeUrl, request, strings } = window.gridgov;
  const S = strings("resident-strings");
  const C = strings("resident-config");
  const PHONE = /^1[3-9]\d{9}$/;

  function flash(text, kind) {
    const node = document.getElementById("flash");
    if (!node) return;
    node.textContent = text || "";
    node.className = "r-flash" + (kind ? " r-flash-" + kind : "");
    node.hidden = !text;
    if (text) {
      clearTimeout(flash.timer);
      flash.timer = setTimeout(() => { node.hidden = true; }, 6000);
    }
  }

  function showError(node, text) {
    if (!node) return;
    node.textContent = text || "";
    node.hidden = !text;
  }

  function messageOf(answer) {
    return (answer && answer.data && answer.data.message) || S.failed;
  }

  function when(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    if (isNaN(d)) return "";
    const p = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  }

  function stateBadge(item) {
    const key = item.public_state || "";
    if (!key && !item.state_name) return ""; // "me too" candidates are open by definition
    const name = item.state_name || (S.public_states || {})[key] || key;
    return `<span class="r-state r-state-${esc(key)}">${esc(name)}</span>`;
  }

  function reportUrl(number) {
    return safeUrl(C.reports_url + encodeURIComponent(String(number)) + "/");
  }

  // One card of a list: number, kind, state, words, and how many follow it.
  function card(item, extra) {
    const words = item.public_text !== undefined ? item.public_text : item.description;
    const meta = [when(item.reported_at)];
    if (item.distance_m !== undefined && item.distance_m !== null) meta.push(`${Math.round(item.distance_m)} ${S.metres}`);
    if (item.followers) meta.push(`${item.followers} ${S.followers}`);
    return `<li class="r-card" data-number="${esc(item.number)}">
      <a class="r-card-link" href="${reportUrl(item.number)}">
        <div class="r-card-top"><b>${esc(item.subclass_name)}</b>${stateBadge(item)}</div>
        <p class="r-card-words">${esc(words)}</p>
        <p class="r-card-meta"><span class="r-mono">${esc(item.number)}</span> · ${esc(meta.filter(Boolean).join(" · "))}</p>
      </a>${extra || ""}</li>`;
  }

  // A photo to the signed-in or the public upload: its ref for a report or an action.
  async function uploadPhoto(file) {
    const form = new FormData();
    form.append("file", file);
    const path = C.signed_in ? "/events/photos" : "/events/photos/public";
    const answer = await request("POST", path, form);
    if (!answer.ok) throw new Error(messageOf(answer));
    return answer.data.ref;
  }

  // Only same-site paths: a `next` from the address bar must not send anyone elsewhere.
  function samePath(target, fallback) {
    return typeof target === "string" && /^\/(?!\/)/.test(target) ? target : fallback;
  }

  // /r/login/: phone → code → signed in → back where they were.
  function wireLogin() {
    const form = document.getElementById("login-form");
    if (!form) return;
    const phone = document.getElementById("login-phone");
    const code = document.getElementById("login-code");
    const send = document.getElementById("send-code");
    const submit = document.getElementById("login-submit");
    const error = document.getElementById("login-error");
    let wait = null;
    send.addEventListener("click", async () => {
      const value = phone.value.replace(/\s+/g, "");
      if (!PHONE.test(value)) { showError(error, S.phone_invalid); phone.focus(); return; }
      showError(error, "");
      send.disabled = true;
      const answer = await request("POST", "/resident/phone-code", { phone: value });
      if (!answer.ok) { showError(error, messageOf(answer)); send.disabled = false; return; }
      flash(S.code_sent, "ok");
      code.disabled = false; submit.disabled = false; code.focus();
      let left = 60;
      clearInterval(wait);
      wait = setInterval(() => {
        left -= 1;
        send.textContent = S.code_resend.replace("%(s)s", left);
        if (left <= 0) { clearInterval(wait); send.disabled = false; send.textContent = send.dataset.label; }
      }, 1000);
    });
    send.dataset.label = send.textContent;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = phone.value.replace(/\s+/g, "");
      if (!PHONE.test(value)) { showError(error, S.phone_invalid); return; }
      submit.disabled = true;
      const answer = await request("POST", "/resident/phone-login", { phone: value, code: code.value.trim() });
      submit.disabled = false;
      if (!answer.ok) { showError(error, messageOf(answer)); return; }
      flash(S.signed_in, "ok");
      window.location.assign(samePath(form.dataset.next, "/r/"));
    });
  }

  // /r/mine/: what I reported or follow.
  async function wireMine() {
    const list = document.getElementById("mine-list");
    if (!list) return;
    const answer = await request("GET", "/resident/reports");
    if (!answer.ok) { list.innerHTML = `<li class="r-muted">${esc(messageOf(answer))}</li>`; return; }
    const items = Array.isArray(answer.data) ? answer.data : (answer.data && answer.data.items) || [];
    list.innerHTML = items.length ? items.map((item) => card(item)).join("") : `<li class="r-muted">${esc(S.nothing)}</li>`;
  }

  window.resident = Object.freeze({ S, C, PHONE, flash, showError, messageOf, when, stateBadge, reportUrl, card, uploadPhoto, samePath });
  wireLogin();
  wireMine();
})();
