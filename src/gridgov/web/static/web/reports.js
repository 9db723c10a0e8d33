// The reports page: ask for a report (the queue makes it; the page follows its progress and
// reloads when it is made), subscribe to an area's reports. Data through gridgov.api only.
(function () {
  "use strict";
  const ui = gridgov.strings("reports-ui");
  const form = document.getElementById("report-form");
  const period = document.getElementById("report-period");
  const date = document.getElementById("report-date");
  const message = document.getElementById("report-message");

  function say(text, isError) {
    message.textContent = text;
    message.classList.toggle("error", Boolean(isError));
  }

  // The last ended period of the chosen kind, as a starting value the user may change.
  function suggest() {
    const option = period.options[period.selectedIndex];
    if (option) { date.value = option.dataset.last || ""; date.placeholder = option.dataset.last || ""; }
  }

  async function follow(id) {
    for (let i = 0; i < 120; i += 1) {
      const answer = await gridgov.request("GET", "/reports/" + id);
      if (!answer.ok) { say((answer.data && answer.data.message) || String(answer.status), true); return; }
      if (answer.data.status === "done") { say(ui.ready); window.location.reload(); return; }
      if (answer.data.status === "failed") { say(answer.data.error || "failed", true); return; }
      say(ui.making + " " + Math.round(answer.data.progress * 100) + "%");
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { area: form.area.value, period: period.value, date: date.value.trim() };
    const answer = await gridgov.request("POST", "/reports/", body);
    if (!answer.ok) { say((answer.data && answer.data.message) || String(answer.status), true); return; }
    form.dataset.reportId = answer.data.id;
    if (answer.data.status === "done") { say(ui.ready); window.location.reload(); return; }
    say(ui.making);
    follow(answer.data.id);
  });
  period.addEventListener("change", suggest);
  suggest();

  document.querySelectorAll("input.subscribe").forEach((box) => {
    box.addEventListener("change", async () => {
      const body = { area: box.dataset.area, period: box.dataset.kind, subscribed: box.checked };
      const answer = await gridgov.request("PUT", "/reports/subscriptions", body);
      if (!answer.ok) { box.checked = !box.checked; say((answer.data && answer.data.message) || String(answer.status), true); return; }
      box.dataset.saved = "1";
      say(ui.saved);
    });
  });
})();
