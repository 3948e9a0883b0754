/* The home page: filters, full-text search (MiniSearch, with the index built with the site, both loaded on first
   use), progress export/import. */
(function () {
  "use strict";
  var ab = window.attnbank;
  var list = document.getElementById("qlist");
  var items = Array.prototype.slice.call(list.querySelectorAll(".qi"));
  var fields = ["topic", "kind", "difficulty", "tag", "status"];
  var input = document.getElementById("q");
  var search = null;       // a MiniSearch index once built
  var loading = null;      // a promise while the index scripts load

  /* One tokenizer for indexing and querying: Latin words, and CJK runs as characters plus bigrams. */
  var CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  var TOKEN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|(?:(?![\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])[\p{L}\p{N}])+/gu;
  function tokenize(text) {
    var out = [];
    (String(text).match(TOKEN) || []).forEach(function (run) {
      if (!CJK.test(run[0])) { out.push(run); return; }
      for (var i = 0; i < run.length; i++) {
        out.push(run[i]);
        if (i + 1 < run.length) { out.push(run.slice(i, i + 2)); }
      }
    });
    return out;
  }
  /* Fullwidth letters and digits as their ASCII forms (ＫＶ is KV), then lower case. */
  function processTerm(term) { return term.normalize("NFKC").toLowerCase(); }
  window.attnbank.tokenize = tokenize;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src; s.onload = resolve; s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  /* The index was built with these options at build time (grader/site_search.py); loadJSON needs the same. */
  var OPTIONS = {
    fields: ["title_en", "title_zh", "text_en", "text_zh", "tags", "id"],
    storeFields: ["id"],
    tokenize: tokenize,
    processTerm: processTerm,
    searchOptions: {
      boost: { title_en: 3, title_zh: 3, tags: 2, id: 2 },
      prefix: function (term) { return !CJK.test(term); },
      fuzzy: function (term) { return !CJK.test(term) && term.length > 4 ? 0.2 : false; },
      combineWith: "AND"
    }
  };
  window.attnbank.searchOptions = OPTIONS;

  function ensureIndex() {
    if (search) { return Promise.resolve(search); }
    if (!loading) {
      loading = loadScript("static/vendor/minisearch.js").then(function () {
        return loadScript("static/search-index.js");
      }).then(function () {
        search = window.MiniSearch.loadJSON(window.ATTNBANK_INDEX, OPTIONS);
        return search;
      });
    }
    return loading;
  }

  function value(name) { return document.getElementById("f-" + name).value; }

  function showStatuses() {
    items.forEach(function (li) {
      var s = ab.status(li.getAttribute("data-id"));
      li.setAttribute("data-status", s);
      var badge = li.querySelector("[data-status]");
      badge.className = "st " + s;
      badge.textContent = s === "new" ? "" : document.querySelector("#f-status option[value=" + s + "]").textContent;
    });
  }

  /* What a snippet marks: the matched terms, with a CJK character on its own only where the query has it alone
     (the query 掩码 marks 掩码, not the 码 of 代码), and the query's CJK runs whole. */
  function markTerms(found, query) {
    var runs = query.match(/[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g) || [];
    return found.filter(function (t) {
      return !CJK.test(t) || t.length > 1 || runs.indexOf(t) >= 0;
    }).concat(runs.filter(function (r) { return r.length > 2; }));
  }

  /* Under a search hit: the text around the first matched term in each language, the terms marked. */
  function snippet(li, found) {
    var old = li.querySelector(".snippet");
    if (old) { old.remove(); }
    if (!found || !found.length) { return; }
    var doc = window.ATTNBANK_TEXTS[li.getAttribute("data-id")];
    var pattern = new RegExp(markTerms(found, input.value).map(function (t) {
      return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).sort(function (a, b) { return b.length - a.length; }).join("|"), "gi");
    var p = document.createElement("p");
    p.className = "snippet";
    ["en", "zh"].forEach(function (lang) {
      var text = doc["text_" + lang], span = document.createElement("span");
      span.className = lang; span.lang = lang === "zh" ? "zh-CN" : "en";
      pattern.lastIndex = 0;
      var first = pattern.exec(text);
      if (!first) { return; }
      var from = Math.max(0, first.index - (lang === "zh" ? 30 : 70)), to = Math.min(text.length, first.index + 140);
      var part = (from ? "…" : "") + text.slice(from, to) + (to < text.length ? "…" : "");
      var at = 0, m;
      pattern.lastIndex = 0;
      while ((m = pattern.exec(part)) !== null) {
        span.append(part.slice(at, m.index));
        var mark = document.createElement("mark");
        mark.textContent = m[0];
        span.append(mark);
        at = m.index + m[0].length;
      }
      span.append(part.slice(at));
      p.append(span);
    });
    if (p.childNodes.length) { li.append(p); }
  }

  function apply() {
    var query = input.value.trim();
    var hits = null, terms = {};
    if (query && search) {
      hits = {};
      terms = {};
      search.search(query).forEach(function (r, i) { hits[r.id] = i; terms[r.id] = r.terms; });
    }
    var shown = 0;
    items.forEach(function (li) {
      var ok = fields.every(function (f) {
        var want = value(f);
        if (!want) { return true; }
        if (f === "tag") { return li.getAttribute("data-tags").split(" ").indexOf(want) >= 0; }
        return li.getAttribute("data-" + f) === want;
      });
      if (hits) { ok = ok && hits.hasOwnProperty(li.getAttribute("data-id")); }
      li.hidden = !ok;
      if (ok) { shown++; }
      snippet(li, ok && hits ? terms[li.getAttribute("data-id")] : null);
    });
    var order = items.slice();
    if (hits) { order.sort(function (a, b) { return (hits[a.getAttribute("data-id")] || 0) - (hits[b.getAttribute("data-id")] || 0); }); }
    order.forEach(function (li) { list.appendChild(li); });
    document.getElementById("shown").textContent = shown;
    document.getElementById("no-match").hidden = shown > 0;
    var params = new URLSearchParams();
    if (query) { params.set("q", query); }
    fields.forEach(function (f) { if (value(f)) { params.set(f, value(f)); } });
    try { history.replaceState(null, "", "?" + params.toString() + location.hash); } catch (e) { /* some file:// setups */ }
  }

  function onQuery() {
    if (!input.value.trim()) { apply(); return; }
    ensureIndex().then(apply, function () { apply(); });
  }

  var params = new URLSearchParams(location.search);
  fields.forEach(function (f) {
    var select = document.getElementById("f-" + f);
    if (params.get(f)) { select.value = params.get(f); }
    select.addEventListener("change", apply);
  });
  input.value = params.get("q") || "";
  input.addEventListener("input", onQuery);
  input.addEventListener("focus", function () { ensureIndex(); }, { once: true });
  document.getElementById("top-q").value = input.value;
  document.querySelector(".top-search").addEventListener("submit", function (e) {
    e.preventDefault();
    input.value = document.getElementById("top-q").value;
    document.getElementById("questions").scrollIntoView();
    onQuery();
  });
  document.querySelectorAll(".card > a[data-topic]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      document.getElementById("f-topic").value = a.getAttribute("data-topic");
      apply();
      document.getElementById("questions").scrollIntoView();
    });
  });

  document.getElementById("export").addEventListener("click", function () {
    var blob = new Blob([JSON.stringify(ab.exportProgress(), null, 2)], { type: "application/json" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "attnbank-progress.json";
    document.body.appendChild(a);
    a.click();
    a.remove();
  });
  document.getElementById("import").addEventListener("change", function (e) {
    var file = e.target.files[0];
    if (!file) { return; }
    file.text().then(function (text) {
      var ok = false;
      try { ok = ab.importProgress(JSON.parse(text)); } catch (err) { ok = false; }
      document.querySelector("#io-msg .ok").hidden = !ok;
      document.querySelector("#io-msg .bad").hidden = ok;
      showStatuses();
      apply();
    });
    e.target.value = "";
  });
  document.getElementById("lang-toggle").addEventListener("click", showStatuses);
  document.addEventListener("attnbank:progress", function () { showStatuses(); apply(); });  /* site serve */

  showStatuses();
  onQuery();
})();
