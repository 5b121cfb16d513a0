/*
 * The catalogue's "Filters" disclosure (<details data-catalogue-filters>): open on wide
 * screens, folded on small ones (48rem and below), following the window across that width.
 * Without this script shop.css shows the filters on wide screens where the browser can style
 * ::details-content; elsewhere the "Filters" button still opens them.
 */
(function () {
  "use strict";
  var details = document.querySelector("[data-catalogue-filters]");
  if (!details || !window.matchMedia) return;
  var small = window.matchMedia("(max-width: 48rem)");
  function follow() {
    details.open = !small.matches;
  }
  follow();
  small.addEventListener("change", follow);
})();
