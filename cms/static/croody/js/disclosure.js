/*
 * Croody.disclosure(button, panel, options): the one show/hide pattern the site chrome uses
 * (mobile menu, language list, appearance popover).
 *
 * - button: a <button aria-controls="panel-id" aria-expanded="false">.
 * - panel: the element it shows; hidden with the `hidden` attribute, or, with
 *   options.openAttribute, marked with that attribute while open (CSS decides what closed
 *   means, e.g. only on small screens).
 * - Escape closes it and puts focus back on the button; so does a click outside when
 *   options.closeOnOutsideClick, and focus leaving it when options.closeOnFocusOut.
 * - options.onToggle(open) runs after each change.
 * Returns { open(), close(restoreFocus), toggle(), isOpen() }.
 */
(function () {
  "use strict";
  var Croody = (window.Croody = window.Croody || {});

  Croody.disclosure = function (button, panel, options) {
    options = options || {};
    var openAttribute = options.openAttribute;

    function isOpen() {
      return button.getAttribute("aria-expanded") === "true";
    }

    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (openAttribute) {
        if (open) panel.setAttribute(openAttribute, "");
        else panel.removeAttribute(openAttribute);
      } else {
        panel.hidden = !open;
      }
      if (options.onToggle) options.onToggle(open);
    }

    function close(restoreFocus) {
      if (!isOpen()) return;
      set(false);
      if (restoreFocus) button.focus();
    }

    button.addEventListener("click", function () {
      set(!isOpen());
    });

    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !isOpen()) return;
      var inside = panel.contains(document.activeElement) || button === document.activeElement;
      if (!inside && !options.closeOnOutsideClick) return;
      event.preventDefault();
      close(true);
    });

    if (options.closeOnOutsideClick) {
      document.addEventListener("click", function (event) {
        if (isOpen() && !panel.contains(event.target) && !button.contains(event.target)) {
          close(false);
        }
      });
    }

    if (options.closeOnFocusOut) {
      panel.addEventListener("focusout", function (event) {
        var next = event.relatedTarget;
        if (next && !panel.contains(next) && next !== button) close(false);
      });
    }

    set(false);
    return {
      open: function () { set(true); },
      close: close,
      toggle: function () { set(!isOpen()); },
      isOpen: isOpen,
    };
  };
})();
