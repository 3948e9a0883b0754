/* A quiz page: each checked answer (right or wrong; not a Check without an answer) is recorded in this browser
   for the progress overview. Loaded after question.js, whose verdict this reads. */
(function () {
  "use strict";
  var id = document.querySelector("article.question").getAttribute("data-id");

  document.querySelectorAll("form.quiz").forEach(function (form) {
    form.addEventListener("submit", function () {
      var ok = !form.querySelector(".verdict .ok").hidden;
      if (!ok && form.querySelector(".verdict .bad").hidden) { return; }  /* no answer given: nothing to record */
      window.attnbank.recordQuiz(id, ok);
    });
  });
})();
