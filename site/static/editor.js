/* The editor on a coding page: CodeMirror 6 loaded lazily over a plain textarea, the code kept in this browser,
   and "Run checks" through the local grader (`attnbank site serve`, see grader/serve.py). Works on file:// too:
   then it shows how to start the server instead of the Run button. */
(function () {
  "use strict";
  var id = document.querySelector("article.question").getAttribute("data-id");
  var section = document.getElementById("editor");
  var area = document.getElementById("ed-code");
  var runButton = document.getElementById("ed-run");
  var result = document.getElementById("ed-result");
  var words = document.getElementById("ed-text").content;
  var starter = area.defaultValue;
  var CODE = "attnbank.code." + id, HINTS = "attnbank.hints." + id;
  var cm = null, running = false;

  function load(key, fallback, where) {
    try { var v = (where || localStorage).getItem(key); return v === null ? fallback : v; } catch (e) { return fallback; }
  }
  function save(key, value, where) { try { (where || localStorage).setItem(key, value); } catch (e) { /* full */ } }

  /* Both languages of one string from the page's table, as nodes (the language switch keeps working). */
  function say(key) {
    var span = words.querySelector('[data-k="' + key + '"]');
    var out = document.createElement("span");
    out.append.apply(out, Array.prototype.map.call(span.childNodes, function (n) { return n.cloneNode(true); }));
    return out;
  }

  function el(tag, cls) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c !== null && c !== undefined) { node.append(typeof c === "string" ? document.createTextNode(c) : c); }
    }
    return node;
  }

  /* `code` spans become <code>; the rest stays text (never parsed as HTML). */
  function rich(text) {
    var out = el("span");
    String(text).split("`").forEach(function (part, i) { out.append(i % 2 ? el("code", null, part) : part); });
    return out;
  }

  function bilingual(pair) {
    var en = rich(pair.en), zh = rich(pair.zh);
    en.className = "en"; en.lang = "en"; zh.className = "zh"; zh.lang = "zh-CN";
    return el("span", null, en, zh);
  }

  function code() { return cm ? cm.get() : area.value; }
  function setCode(text) { if (cm) { cm.set(text); } else { area.value = text; } save(CODE, text); }

  area.value = load(CODE, starter);
  area.addEventListener("input", function () { save(CODE, area.value); });
  area.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
  document.getElementById("ed-reset").addEventListener("click", function () { setCode(starter); });

  /* CodeMirror (about 125 KB gzipped) loads only when the editor comes near the screen or gets the focus. */
  var loading = false;
  function upgrade() {
    if (loading) { return; }
    loading = true;
    var script = document.createElement("script");
    script.src = "../static/vendor/codemirror.js";
    script.onload = function () {
      var focused = document.activeElement === area;
      var box = el("div", "ed-cm");
      area.parentNode.insertBefore(box, area);
      cm = window.AttnbankCM.createEditor({
        /* tabindex: the editable text is in the Tab order anyway; saying so lets checkers such as axe see
           that the scrolling box around it can be reached from the keyboard. */
        parent: box, doc: area.value, attrs: { "aria-labelledby": "editor-h", tabindex: "0" },
        onChange: function (text) { save(CODE, text); }, onRun: run
      });
      area.hidden = true;
      if (focused) { cm.view.focus(); }
      section.setAttribute("data-editor", "codemirror");
    };
    document.head.appendChild(script);
  }
  area.addEventListener("focus", upgrade);
  if ("IntersectionObserver" in window) {
    new IntersectionObserver(function (entries, obs) {
      if (entries.some(function (e) { return e.isIntersecting; })) { obs.disconnect(); upgrade(); }
    }, { rootMargin: "300px" }).observe(section);
  } else { upgrade(); }

  window.attnbank.server.ready.then(function (state) {
    runButton.hidden = state !== "ok";
    document.getElementById("ed-offline").hidden = state !== "offline";
    document.getElementById("ed-token").hidden = state !== "token";
    runButton.addEventListener("click", run);
  });

  /* The hint to unlock after a failure, as `attnbank watch` picks it: among those not shown yet, the one naming
     the most failing checks (the earlier on a tie). */
  function nextHint(hints, shown, failed) {
    var best = null, bestScore = -1;
    hints.forEach(function (h, i) {
      if (shown.indexOf(i) >= 0) { return; }
      var score = (h.getAttribute("data-checks") || "").split(" ").filter(function (c) {
        return failed.indexOf(c) >= 0;
      }).length;
      if (score > bestScore) { best = i; bestScore = score; }
    });
    return best;
  }

  function run() {
    if (running || runButton.hidden) { return; }
    running = true;
    runButton.disabled = true;
    var started = Date.now();
    var seconds = el("span", "ed-secs", "0");
    result.replaceChildren(el("p", "ed-running", el("span", "spinner"), say("running"), " ", seconds, " ",
                              say("seconds")));
    result.setAttribute("aria-busy", "true");
    var tick = setInterval(function () { seconds.textContent = String(Math.round((Date.now() - started) / 1000)); }, 500);
    window.attnbank.server.api("grade", { method: "POST", body: JSON.stringify({ question: id, code: code() }) })
      .then(function (r) {
        var progress = r.headers.get("X-Attnbank-Progress") || "";
        if (r.ok) { return r.json().then(function (v) { show(v, progress); }); }
        if (r.status === 403) { return note("token"); }
        if (r.status === 429) { return note("busy"); }
        return r.json().then(function (e) { result.replaceChildren(el("p", "ed-bad", e.error)); });
      }, function () { note("gone"); })
      .then(function () {
        clearInterval(tick);
        running = false;
        runButton.disabled = false;
        result.removeAttribute("aria-busy");
      });
  }

  function note(key) { result.replaceChildren(el("p", "ed-bad", say(key))); }

  function show(v, progress) {
    var out = [el("p", "ed-headline " + (v.passed ? "ed-ok" : "ed-bad"), say(v.status))];
    out[0].setAttribute("data-status", v.status);
    var list = el("ul", "ed-checks");
    v.checks.forEach(function (c) {
      var mark = c.passed === true ? "✔" : c.passed === false ? "✘" : "–";
      var li = el("li", c.passed === false ? "bad" : c.passed ? "ok" : "skip",
                  el("span", "ed-mark", mark), " ", el("strong", null, c.name), " ", rich(c.message));
      li.setAttribute("data-check", c.name);
      if (c.passed === false) { li.append(failure(c)); }
      list.append(li);
    });
    out.push(list);
    if (v.diagnosis_text) {
      var d = v.diagnosis_text;
      out.push(el("div", "ed-diagnosis", el("p", null, el("strong", null, say("diagnosis"), ": "),
                                                 bilingual(d.title), " ", el("code", null, v.diagnosis)),
                  el("p", null, bilingual(d.explanation))));
    }
    if (v.error) { out.push(el("details", "ed-trace", el("summary", null, say("traceback")), el("pre", null, v.error))); }
    if (v.output && (v.status === "timeout" || v.status === "crashed" || v.status === "memory")) {
      out.push(el("details", "ed-trace", el("summary", null, say("output")), el("pre", null, v.output)));
    }
    if (!v.passed) { out.push(hintsAfter(v)); }
    out.push(el("p", "muted", progress.indexOf("warning") === 0 ? progress : say("recorded")));
    result.replaceChildren.apply(result, out.filter(Boolean));
    window.attnbank.server.refreshProgress();
  }

  /* A failing check: its case, shapes and seed, the worst element, and the attention patterns as pictures. */
  function failure(c) {
    var box = el("div", "ed-fail"), dl = el("dl");
    var m = /^case '([^']+)' \((.*); seed (-?\d+)\)/.exec(c.message);
    var ev = /expected (\S+?),? got (\S+)/.exec(c.message);
    function row(key, value) { dl.append(el("dt", null, say(key)), el("dd", null, el("code", null, String(value)))); }
    if (m) { row("case", m[1]); row("shapes", m[2]); row("seed", m[3]); }
    var d = c.details || {};
    if (d.index) { row("worst", "[" + d.index.join(", ") + "]"); }
    if (ev) { row("expected", ev[1]); row("got", ev[2]); }
    if (typeof d.max_abs_err === "number") { row("err", d.max_abs_err.toPrecision(3)); }
    if (typeof d.tolerance === "number") { row("tol", d.tolerance.toPrecision(3)); }
    if (dl.childNodes.length) { box.append(dl); }
    if (d.expected_grid) {
      var pics = el("div", "ed-patterns");
      pics.append(pattern(d.expected_grid, "pattern_expected"));
      if (d.actual_grid) { pics.append(pattern(d.actual_grid, "pattern_actual")); }
      box.append(pics);
      if (d.grid_at && d.grid_at.length) {
        box.append(el("p", "muted", say("at"), " [" + d.grid_at.join(", ") + "]"));
      }
    }
    return box;
  }

  /* A query x key boolean grid as an SVG picture (rows: queries, columns: keys). */
  function pattern(grid, key) {
    var NS = "http://www.w3.org/2000/svg", cell = 18, pad = 22;
    var rows = grid.length, cols = rows ? grid[0].length : 0;
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + (pad + cols * cell + 2) + " " + (pad + rows * cell + 2));
    svg.setAttribute("width", String(pad + cols * cell + 2));
    svg.setAttribute("class", "ed-grid");
    svg.setAttribute("role", "img");
    function add(tag, attrs, text) {
      var n = document.createElementNS(NS, tag);
      Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
      if (text !== undefined) { n.textContent = text; }
      svg.appendChild(n);
    }
    grid.forEach(function (r, i) {
      add("text", { x: pad - 5, y: pad + i * cell + cell * 0.7, "text-anchor": "end", "class": "idx" }, String(i));
      r.forEach(function (on, j) {
        add("rect", { x: pad + j * cell, y: pad + i * cell, width: cell - 2, height: cell - 2,
                      "class": on ? "on" : "off" });
      });
    });
    for (var j = 0; j < cols; j++) {
      add("text", { x: pad + j * cell + cell / 2 - 1, y: pad - 6, "text-anchor": "middle", "class": "idx" }, String(j));
    }
    var cap = el("figcaption", null, say(key));
    var fig = el("figure", "ed-pattern", svg, cap);
    fig.setAttribute("data-pattern", key === "pattern_expected" ? "expected" : "actual");
    svg.setAttribute("aria-label", cap.textContent);
    return fig;
  }

  /* Every failure unlocks one more hint; the unlocked ones are listed, the newest first. */
  function hintsAfter(v) {
    var hints = Array.prototype.slice.call(document.querySelectorAll("details.hint"));
    var shown = JSON.parse(load(HINTS, "[]", sessionStorage));
    var failed = v.checks.filter(function (c) { return c.passed === false; }).map(function (c) { return c.name; });
    var pick = nextHint(hints, shown, failed);
    if (pick !== null) { shown.push(pick); save(HINTS, JSON.stringify(shown), sessionStorage); }
    if (!shown.length) { return null; }
    var box = el("div", "ed-hints");
    shown.slice().reverse().forEach(function (i) {
      var body = hints[i].querySelector("p").cloneNode(true);
      var h = el("div", "ed-hint" + (i === pick ? " new" : ""),
                 el("strong", null, say("hint"), " " + (i + 1)), body);
      h.setAttribute("data-hint", String(i + 1));
      box.append(h);
    });
    return box;
  }
})();
