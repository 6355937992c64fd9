// Progressive only: every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Choosing an outlet applies the filter at once (the button stays for keyboards and no-script).
  var select = document.querySelector(".filters select");
  if (select && select.form) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
  // "/" jumps to the search box, as on most search engines.
  var box = document.querySelector(".searchbox input[name=q]");
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && box && document.activeElement !== box &&
        !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
});
