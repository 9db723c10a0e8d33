// The event page's callback panel (回访): reveal the reporter's phone on request. The API
// records each reveal; the number is put in as text and as a tel: link, never as HTML.
(function () {
  "use strict";
  const button = document.getElementById("callback-reveal");
  const target = document.getElementById("callback-phone");
  if (!button || !target || !window.gridgov) return;
  button.addEventListener("click", async function () {
    button.disabled = true;
    const answer = await window.gridgov.request("GET", button.dataset.url);
    if (!answer.ok || !answer.data) {
      button.disabled = false;
      target.textContent = (answer.data && answer.data.message) || String(answer.status);
      return;
    }
    const link = document.createElement("a");
    link.href = window.gridgov.safeUrl("tel:" + answer.data.phone);
    link.textContent = answer.data.phone;
    target.replaceChildren(link);
    button.hidden = true;
  });
})();
