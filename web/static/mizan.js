// Progressive only: every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Choosing an outlet applies the filter at once (the button stays for keyboards and no-script).
  var select = document.querySelector(".filters select");
  if (select && select.form) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
  // The filters fold away on a phone (so the answer comes first); a wide screen has room to show them.
  var filters = document.querySelector("details.filters-box");
  if (filters && window.matchMedia("(min-width: 900px)").matches) {
    filters.open = true;
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
