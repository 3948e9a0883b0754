/* A quiz page: each checked answer (right or wrong; not a Check without an answer) is recorded in this browser
   for the progress overview. Loaded after question.js, whose verdict this reads. */
(function () {
  "use strict";
  var KEY = "attnbank.quiz.v1";
  var id = document.querySelector("article.question").getAttribute("data-id");

  document.querySelectorAll("form.quiz").forEach(function (form) {
    form.addEventListener("submit", function () {
      var ok = !form.querySelector(".verdict .ok").hidden;
      if (!ok && form.querySelector(".verdict .bad").hidden) { return; }  /* no answer given: nothing to record */
      try {
        var all = JSON.parse(localStorage.getItem(KEY) || "{}");
        if (!all || typeof all !== "object" || Array.isArray(all)) { all = {}; }
        var tries = (all[id] && all[id].tries) || 0;
        all[id] = { ok: ok, tries: tries + 1, at: new Date().toISOString() };
        localStorage.setItem(KEY, JSON.stringify(all));
      } catch (e) { /* private mode or a corrupt entry: the verdict still shows */ }
    });
  });
})();
