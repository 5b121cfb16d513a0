/*
 * Mobile menu: the header's [data-nav-toggle] button shows and hides [data-nav-menu] on small
 * screens (below 60rem; components.css hides the button above that).
 *
 * The button is a disclosure (aria-expanded, aria-controls); Escape closes the menu and
 * returns focus to the button; following a link or widening the window closes it too.
 * Without JavaScript the button is not shown and the menu is simply visible.
 */
(function () {
  "use strict";
  var toggle = document.querySelector("[data-nav-toggle]");
  var menu = document.querySelector("[data-nav-menu]");
  if (!toggle || !menu || !window.Croody || !window.Croody.disclosure) return;

  var header = document.querySelector("[data-site-header]");
  var wide = window.matchMedia("(min-width: 60rem)");
  var disclosure = window.Croody.disclosure(toggle, menu, {
    openAttribute: "data-open",
    onToggle: function (open) {
      if (header) header.toggleAttribute("data-menu-open", open);
    },
  });

  menu.addEventListener("click", function (event) {
    if (event.target.closest("a")) disclosure.close(false);
  });

  wide.addEventListener("change", function (event) {
    if (event.matches) disclosure.close(false);
  });
})();
