/* The progress overview: per topic studied / mastered (attnbank.status: this browser, raised to the terminal
   practice status), coding questions whose latest grade passed (under `attnbank site serve`, from
   GET /api/grades) and quizzes answered right (recorded by quiz-record.js), plus the next unstudied question. */
(function () {
  "use strict";
  var grades = null;  /* question id -> {passed, attempts, passes, last}, when served */

  function label(key) {
    var span = document.getElementById("pg-text").content.querySelector('[data-k="' + key + '"]').cloneNode(true);
    span.removeAttribute("data-k");
    span.className = "pg-" + key;
    return span;
  }

  function note(badge, key) {
    badge.appendChild(document.createTextNode(" · "));
    badge.appendChild(label(key));
  }

  function fraction(a, b) { return b ? a + " / " + b : "–"; }

  function render() {
    var quiz = window.attnbank.quizResults();
    var sums = {};
    var next = null;
    document.querySelectorAll("li[data-q]").forEach(function (li) {
      var id = li.getAttribute("data-q"), kind = li.getAttribute("data-kind");
      var status = window.attnbank.status(id);
      var s = sums[li.getAttribute("data-topic")] = sums[li.getAttribute("data-topic")] ||
        { studied: 0, mastered: 0, coding: 0, passed: 0, quizzes: 0, right: 0, next: null };
      var badge = li.querySelector(".pg-st");
      badge.textContent = "";
      badge.appendChild(label(status));
      if (status !== "new") { s.studied += 1; }
      if (status === "mastered") { s.mastered += 1; }
      if (kind === "coding") {
        s.coding += 1;
        var g = grades && grades[id];
        if (g && g.passed) { s.passed += 1; }
        if (g) { note(badge, g.passed ? "status_passed" : "pg_failed"); }
      }
      if (kind === "quiz") {
        s.quizzes += 1;
        var r = quiz[id];
        if (r && r.ok) { s.right += 1; }
        if (r) { note(badge, r.ok ? "pg_right" : "pg_wrong"); }
      }
      if (status === "new") {
        if (!s.next) { s.next = li; }
        if (!next) { next = li; }
      }
    });
    var total = { studied: 0, mastered: 0, coding: 0, passed: 0, quizzes: 0, right: 0 };
    document.querySelectorAll("tbody tr[data-topic]").forEach(function (row) {
      var s = sums[row.getAttribute("data-topic")];
      Object.keys(total).forEach(function (k) { total[k] += s[k]; });
      fill(row, s);
      var cell = row.querySelector('[data-k="next"]');
      var old = cell.querySelector("a");
      if (old) { old.remove(); }
      cell.hidden = !s.next;
      if (s.next) { cell.appendChild(link(s.next)); }
    });
    fill(document.querySelector("tfoot tr"), total);
    var a = document.getElementById("pg-next");
    a.hidden = !next;
    document.getElementById("pg-done").hidden = !!next;
    if (next) {
      a.href = next.querySelector("a").getAttribute("href");
      a.innerHTML = next.querySelector("a").innerHTML;  /* the bilingual title, from this page's own markup */
    }
  }

  function link(li) {  /* a link to the question of `li`, with its bilingual title (from this page's own markup) */
    var a = document.createElement("a");
    a.href = li.querySelector("a").getAttribute("href");
    a.innerHTML = li.querySelector("a").innerHTML;
    return a;
  }

  function fill(row, s) {
    row.querySelector('[data-k="studied"]').textContent = String(s.studied);
    row.querySelector('[data-k="mastered"]').textContent = String(s.mastered);
    row.querySelector('[data-k="passed"]').textContent = grades ? fraction(s.passed, s.coding) : "–";
    row.querySelector('[data-k="quiz"]').textContent = fraction(s.right, s.quizzes);
  }

  function server(state) {
    document.querySelectorAll("#pg-server [data-state]").forEach(function (el) {
      el.hidden = el.getAttribute("data-state") !== state;
    });
  }

  render();
  document.addEventListener("attnbank:progress", render);  /* site serve: the practice status arrived */
  if (location.protocol === "http:") {
    window.attnbank.server.api("grades").then(function (r) {
      if (r.status === 403) { server("token"); return; }
      if (!r.ok) { return; }
      return r.json().then(function (data) { grades = data.grades || {}; server("ok"); render(); });
    }, function () { /* no server: the offline note stays */ });
  }
})();
