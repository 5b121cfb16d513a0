/*
 * Language selector, enhanced. The form stays a plain POST form (one submit button per
 * language), so it works without JavaScript; this script only adds:
 * - on small screens (below 60rem), a compact disclosure: a button showing the current
 *   language opens the list; Escape, a click outside or leaving it closes it;
 * - arrow keys move between the languages (Home/End jump to the ends);
 * - a busy state while the chosen language loads;
 * - the page's current query string in the form's `query` field on submit: search.js changes
 *   the address without reloading, so the value rendered with the page may be out of date
 *   (the server keeps only the parameters the page allows).
 */
(function () {
  "use strict";
  var form = document.querySelector("[data-language-selector]");
  if (!form) return;
  var toggle = form.querySelector("[data-language-toggle]");
  var list = document.getElementById(toggle ? toggle.getAttribute("aria-controls") : "");
  var options = Array.prototype.slice.call(form.querySelectorAll('button[name="language"]'));

  if (toggle && list && window.Croody && window.Croody.disclosure) {
    var compact = window.matchMedia("(max-width: 59.99rem)");
    var disclosure = window.Croody.disclosure(toggle, list, {
      openAttribute: "data-open",
      closeOnOutsideClick: true,
      closeOnFocusOut: true,
    });
    compact.addEventListener("change", function () {
      disclosure.close(false);
    });
  }

  form.addEventListener("keydown", function (event) {
    var index = options.indexOf(document.activeElement);
    if (index < 0) return;
    var rtl = getComputedStyle(form).direction === "rtl";
    var next = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      ArrowRight: rtl ? index - 1 : index + 1,
      ArrowLeft: rtl ? index + 1 : index - 1,
      Home: 0,
      End: options.length - 1,
    }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    options[(next + options.length) % options.length].focus();
  });

  form.addEventListener("submit", function () {
    var query = form.querySelector("[data-language-query]");
    if (query) query.value = window.location.search.replace(/^\?/, "");
    form.setAttribute("aria-busy", "true");
  });
  // Coming back through the history cache must not leave the form busy.
  window.addEventListener("pageshow", function () {
    form.removeAttribute("aria-busy");
  });
})();
