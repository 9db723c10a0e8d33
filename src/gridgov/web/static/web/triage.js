// Filing at the desk (decision 0024): one click takes a suggested category; a ready answer
// fills the reply to the reporter and the internal comment; an urgent category says so.
(function () {
  "use strict";
  const box = document.getElementById("triage");
  if (!box) return;
  const form = box.closest("form");
  const subclass = document.getElementById("triage-subclass");
  const urgency = document.getElementById("triage-urgency");
  const hint = document.getElementById("triage-urgent-hint");
  const template = document.getElementById("triage-template");
  const reply = document.getElementById("public-reply");
  const comment = form ? form.querySelector("input[name=comment]") : null;

  function urgentShown() {
    const option = subclass.options[subclass.selectedIndex];
    const urgent = option && option.dataset.urgent === "1";
    hint.hidden = !urgent;
    if (urgent) urgency.value = "critical";
  }

  function templatesShown() {
    if (!template) return;
    for (const option of template.options) {
      if (!option.value) continue;
      option.hidden = option.dataset.subclass !== subclass.value;
    }
    const chosen = template.options[template.selectedIndex];
    if (chosen && chosen.hidden) template.value = "";
  }

  box.querySelectorAll("button.suggestion").forEach(function (button) {
    button.addEventListener("click", function () {
      subclass.value = button.dataset.subclass;
      box.querySelectorAll("button.suggestion").forEach(function (b) {
        b.classList.toggle("chosen", b === button);
      });
      subclass.dispatchEvent(new Event("change"));
    });
  });
  subclass.addEventListener("change", function () {
    urgentShown();
    templatesShown();
  });
  if (template) {
    template.addEventListener("change", function () {
      const option = template.options[template.selectedIndex];
      if (!option || !option.value) return;
      reply.value = option.dataset.reply || "";
      if (comment) comment.value = option.dataset.note || "";
    });
  }
  urgentShown();
  templatesShown();
})();
