/* Every page: the contents list (open beside the text on a wide screen, folded on a phone), the current
   section marked in it, and the keyboard shortcuts with their help list (press ?). A one-key shortcut never
   fires while the focus is in a box, a menu or the editor, nor with Ctrl, Alt or ⌘ held. */
(function () {
  "use strict";
  var toc = document.getElementById("toc");
  var help = document.getElementById("keys-help");

  if (toc) {
    var wide = window.matchMedia("(min-width: 75rem)");
    var fit = function () { toc.open = wide.matches; };
    fit();
    wide.addEventListener("change", fit);
    var links = Array.prototype.slice.call(toc.querySelectorAll("a[href^='#']"));
    var sections = links.map(function (a) { return document.getElementById(a.getAttribute("href").slice(1)); });
    /* The current section: the last whose heading has come up to just below the sticky header. */
    var header = document.querySelector("header.top");
    var mark = function () {
      var current = 0, line = header.getBoundingClientRect().bottom + 48;
      sections.forEach(function (el, i) {
        if (el && el.getBoundingClientRect().top <= line) { current = i; }
      });
      /* At the end of the page the last sections cannot come up that far: then the one jumped to counts. */
      var picked = links.map(function (a) { return a.hash; }).indexOf(location.hash);
      if (picked > current && window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2) {
        current = picked;
      }
      links.forEach(function (a, i) {
        if (i === current) { a.setAttribute("aria-current", "true"); } else { a.removeAttribute("aria-current"); }
      });
    };
    mark();
    window.addEventListener("scroll", mark, { passive: true });
    window.addEventListener("hashchange", mark);
    /* On a phone the list folds again once a section is picked, so the section is not hidden under it. */
    links.forEach(function (a) { a.addEventListener("click", function () { if (!wide.matches) { toc.open = false; } }); });
  }

  function typing(el) {
    if (!el || el === document.body) { return false; }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable ||
      Boolean(el.closest && el.closest(".cm-editor"));
  }

  function toggleHelp() {
    if (help.open) { help.close(); } else { help.showModal(); }
  }
  document.getElementById("keys-open").addEventListener("click", toggleHelp);

  function follow(rel) {
    var a = document.querySelector(".pager a[rel=" + rel + "]");
    if (a) { location.href = a.href; }
  }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing || typing(e.target)) { return; }
    if (e.key === "?") { e.preventDefault(); toggleHelp(); return; }
    if (help.open) { return; }
    if (e.key === "/") {
      e.preventDefault();
      var box = document.getElementById("q") || document.getElementById("top-q");
      box.focus();
      box.select();
    } else if (e.key === "n" || e.key === "j") {
      follow("next");
    } else if (e.key === "p" || e.key === "k") {
      follow("prev");
    }
  });
})();
