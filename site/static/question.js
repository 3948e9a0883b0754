/* A question page: progress buttons, self-checking quizzes, copy buttons. */
(function () {
  "use strict";
  var article = document.querySelector("article.question");
  var id = article.getAttribute("data-id");

  function showMarks() {
    var s = window.attnbank.status(id);
    document.querySelectorAll(".mark-btn").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-set") === s));
    });
    var practice = (window.ATTNBANK_PRACTICE || {})[id];
    var box = document.querySelector(".mark .practice");
    box.hidden = !practice;
    box.querySelectorAll("[data-practice]").forEach(function (el) {
      el.hidden = el.getAttribute("data-practice") !== practice;
    });
  }
  document.querySelectorAll(".mark-btn").forEach(function (b) {
    b.addEventListener("click", function () { window.attnbank.setStatus(id, b.getAttribute("data-set")); showMarks(); });
  });
  showMarks();
  document.addEventListener("attnbank:progress", showMarks);  /* site serve: the progress database changed */

  function verdict(form, ok) {
    form.querySelector(".verdict .ok").hidden = !ok;
    form.querySelector(".verdict .bad").hidden = ok;
    form.querySelector(".verdict .need").hidden = true;
  }

  /* No answer yet: say so, and give nothing away. */
  function needAnswer(form) {
    form.querySelector(".verdict .ok").hidden = true;
    form.querySelector(".verdict .bad").hidden = true;
    form.querySelector(".verdict .need").hidden = false;
  }

  document.querySelectorAll("form.quiz[data-type=choice]").forEach(function (form) {
    form.addEventListener("submit", function () {
      if (!form.querySelector(".choice input:checked")) { needAnswer(form); return; }
      var ok = true;
      form.querySelectorAll(".choice").forEach(function (c) {
        var correct = c.getAttribute("data-correct") === "1";
        var picked = c.querySelector("input").checked;
        if (correct !== picked) { ok = false; }
        c.classList.toggle("right", correct);
        c.classList.toggle("wrong", picked && !correct);
        c.querySelector(".why").hidden = false;
      });
      verdict(form, ok);
    });
  });

  document.querySelectorAll("form.quiz[data-type=numeric]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var value = parseFloat(form.getAttribute("data-value"));
      var tol = parseFloat(form.getAttribute("data-tol"));
      var text = form.querySelector("input").value.replace(/[,_\s]/g, "");
      var answer = Number(text);
      if (text === "" || !isFinite(answer)) { needAnswer(form); return; }
      var ok = text !== "" && isFinite(answer) && Math.abs(answer - value) <= tol * Math.max(Math.abs(value), 1e-12);
      verdict(form, ok);
      form.querySelector(".expected").hidden = false;
    });
  });

  document.querySelectorAll("button.copy").forEach(function (b) {
    b.addEventListener("click", function () {
      var text = document.getElementById(b.getAttribute("data-copy")).innerText.replace(/\n$/, "");
      var done = function () {
        var note = b.parentNode.querySelector(".copied");
        note.hidden = false;
        setTimeout(function () { note.hidden = true; }, 1500);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
      } else { fallback(text); done(); }
    });
  });

  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    area.remove();
  }
})();
