/* Shared by every page: language switch, dark mode, progress in localStorage, works on file://. The only request
   it makes is to the local grader's API on the page's own origin, when served by `attnbank site serve`. */
(function () {
  "use strict";
  var d = document.documentElement;
  var PROGRESS = "attnbank.progress.v1";
  var STATUSES = ["new", "studied", "mastered"];

  function store(key, value) { try { localStorage.setItem(key, value); } catch (e) { /* private mode */ } }

  function applyLang(lang) {
    d.setAttribute("data-lang", lang);
    d.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-ph-" + lang + "]").forEach(function (el) {
      el.placeholder = el.getAttribute("data-ph-" + lang);
    });
    document.querySelectorAll("option[data-" + lang + "]").forEach(function (el) {
      el.textContent = el.getAttribute("data-" + lang);
    });
  }

  function readProgress() {
    try {
      var p = JSON.parse(localStorage.getItem(PROGRESS) || "{}");
      return p && typeof p === "object" && !Array.isArray(p) ? p : {};
    } catch (e) { return {}; }
  }

  function writeProgress(p) { store(PROGRESS, JSON.stringify(p)); }

  /* Quiz results: {id: {ok: the last checked answer was right, tries, at: ISO time}} (quiz-record.js writes them). */
  var QUIZ = "attnbank.quiz.v1";
  function quizResults() {
    try {
      var q = JSON.parse(localStorage.getItem(QUIZ) || "{}");
      return q && typeof q === "object" && !Array.isArray(q) ? q : {};
    } catch (e) { return {}; }
  }

  function recordQuiz(id, ok) {
    var all = quizResults();
    all[id] = { ok: ok, tries: ((all[id] && all[id].tries) || 0) + 1, at: new Date().toISOString() };
    store(QUIZ, JSON.stringify(all));
  }

  function validResult(r) {
    return r && typeof r.ok === "boolean" && typeof r.at === "string" && typeof r.tries === "number";
  }

  /* The status shown for a question: the browser's, raised to the terminal practice status if that is further. */
  function status(id) {
    var own = readProgress()[id] || "new";
    var practice = (window.ATTNBANK_PRACTICE || {})[id] || "new";
    return STATUSES.indexOf(practice) > STATUSES.indexOf(own) ? practice : own;
  }

  function setStatus(id, value) {
    var p = readProgress();
    if (value === "new") { delete p[id]; } else { p[id] = value; }
    writeProgress(p);
  }

  /* Export format: {format: "attnbank-progress", version: 1, exported, progress: {id: studied|mastered},
     quiz: {id: {ok, tries, at}}} (quiz is optional: older files have none). */
  function exportProgress() {
    return { format: "attnbank-progress", version: 1, exported: new Date().toISOString(), progress: readProgress(),
             quiz: quizResults() };
  }

  function importProgress(data) {
    if (!data || data.format !== "attnbank-progress" || typeof data.progress !== "object" || !data.progress) {
      return false;
    }
    var p = readProgress();
    Object.keys(data.progress).forEach(function (id) {
      var s = data.progress[id];
      if (s === "studied" || s === "mastered") { p[id] = s; }
    });
    writeProgress(p);
    if (data.quiz && typeof data.quiz === "object") {  /* the newer result of each quiz wins */
      var q = quizResults();
      Object.keys(data.quiz).forEach(function (id) {
        var r = data.quiz[id];
        if (validResult(r) && (!q[id] || r.at > q[id].at)) { q[id] = { ok: r.ok, tries: r.tries, at: r.at }; }
      });
      store(QUIZ, JSON.stringify(q));
    }
    return true;
  }

  /* The local grader (`attnbank site serve`): its token arrives once in the URL fragment (never sent to a server)
     and is kept for this origin; every API call carries it. `ready` says "ok", "token" (refused) or "offline". */
  var TOKEN = "attnbank.token";
  var found = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (found) {
    store(TOKEN, decodeURIComponent(found[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  var client = (function () {
    try {
      var c = sessionStorage.getItem("attnbank.client") || Math.random().toString(36).slice(2);
      sessionStorage.setItem("attnbank.client", c);
      return c;
    } catch (e) { return ""; }
  })();

  function api(path, init) {
    var t = null;
    try { t = localStorage.getItem(TOKEN); } catch (e) { /* private mode */ }
    init = init || {};
    init.headers = { "X-Attnbank-Token": t || "", "X-Attnbank-Client": client, "Content-Type": "application/json" };
    return fetch("/api/" + path, init);
  }

  /* The terminal practice status as the server sees it now, merged into what the pages show. */
  function refreshProgress() {
    return api("progress").then(function (r) {
      if (r.status === 403) { return "token"; }
      if (!r.ok) { return "offline"; }
      return r.json().then(function (data) {
        window.ATTNBANK_PRACTICE = Object.assign(window.ATTNBANK_PRACTICE || {}, data.status);
        document.dispatchEvent(new CustomEvent("attnbank:progress"));
        return "ok";
      });
    }, function () { return "offline"; });
  }

  var ready = location.protocol === "http:" ? refreshProgress() : Promise.resolve("offline");

  window.attnbank = { status: status, setStatus: setStatus, exportProgress: exportProgress,
                      importProgress: importProgress, STATUSES: STATUSES,
                      quizResults: quizResults, recordQuiz: recordQuiz,
                      server: { ready: ready, api: api, refreshProgress: refreshProgress } };

  applyLang(d.getAttribute("data-lang") || "en");
  document.getElementById("lang-toggle").addEventListener("click", function () {
    var lang = d.getAttribute("data-lang") === "zh" ? "en" : "zh";
    store("attnbank.lang", lang);
    applyLang(lang);
    if (/(?:^\?|&)lang=/.test(location.search)) {  /* a ?lang= address keeps saying what the page shows */
      var params = new URLSearchParams(location.search);
      params.set("lang", lang);
      try { history.replaceState(null, "", "?" + params.toString() + location.hash); } catch (e) { /* file:// */ }
    }
  });
  document.getElementById("theme-toggle").addEventListener("click", function () {
    var theme = d.getAttribute("data-theme") === "dark" ? "light" : "dark";
    store("attnbank.theme", theme);
    d.setAttribute("data-theme", theme);
  });
  /* Print everything: hints, answers and reference solutions open while printing. */
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (el) {
      el.open = true; return true;
    });
  });
  window.addEventListener("afterprint", function () { opened.forEach(function (el) { el.open = false; }); });
})();
