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
});
