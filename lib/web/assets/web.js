// veille web inbox: progressive enhancement only; every page works without this file.
// Served by veille serve itself (script-src 'self'); no inline script anywhere.
"use strict";
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  // A form sent once: its buttons are disabled until the next page (no double POST).
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
  // The login page: the cursor in the first empty field.
  var empty = document.querySelector(".login input:not([type=hidden]):placeholder-shown, .login input[value='']");
  if (empty) empty.focus();

  // The rule tester: the results follow the query as it is typed (the same page, fetched).
  var tester = document.getElementById("tester");
  if (tester) {
    var timer = 0;
    var sent = 0;
    var refresh = function () {
      var params = new URLSearchParams(new FormData(tester)).toString();
      var mine = ++sent;
      window.fetch("/tester?" + params, {credentials: "same-origin"}).then(function (r) {
        return r.text();
      }).then(function (html) {
        if (mine !== sent) return;  // a newer request is on its way
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("tester-results");
        var results = document.getElementById("tester-results");
        if (fresh && results) results.replaceWith(fresh);
        window.history.replaceState(null, "", "/tester?" + params);
      });
    };
    tester.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 250);
    });
  }

  // The inbox (docs/web.md, "Keyboard"): "select all", and j/k/o/x/r/h/i on the current row.
  var all = document.getElementById("select-all");
  var rows = Array.prototype.slice.call(document.querySelectorAll("li.mention"));
  if (all) {
    all.addEventListener("change", function () {
      rows.forEach(function (row) {
        var box = row.querySelector("input[type=checkbox]");
        if (box) box.checked = all.checked;
      });
    });
  }
  if (!rows.length) return;
  var current = -1;
  function select(i) {
    if (current >= 0) rows[current].classList.remove("current");
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows[current].classList.add("current");
    rows[current].scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
                   target.tagName === "SELECT")) return;
    var key = event.key;
    if (key === "j") { select(current + 1); event.preventDefault(); return; }
    if (key === "k") { select(current - 1); event.preventDefault(); return; }
    if (current < 0) return;
    var row = rows[current];
    if (key === "o" || key === "Enter") {
      var link = row.querySelector("a.title");
      if (link) { link.click(); event.preventDefault(); }
    } else if (key === "x") {
      var box = row.querySelector("input[type=checkbox]");
      if (box) { box.checked = !box.checked; event.preventDefault(); }
    } else {
      var button = row.querySelector("button[data-key='" + key + "']");
      if (button) { button.click(); event.preventDefault(); }
    }
  });
});
