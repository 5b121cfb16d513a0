/*
 * Theme and palette switcher.
 *
 * <html data-theme="light|dark|system" data-palette="gator|jungle|sand|crimson"> decides the
 * colours (tokens.css). The choice is remembered in localStorage and in the cookies
 * `croody_theme` / `croody_palette` (so the server could render it), and applied before the
 * first paint by the inline boot script (theme-boot.js) on the next page.
 *
 * Controls: buttons [data-set-theme="…"] and [data-set-palette="…"] get aria-pressed; the
 * popover around them ([data-theme-toggle] + [data-theme-panel]) is a disclosure.
 * Each change dispatches `croody:preferences` on document with detail {theme, palette}.
 *
 * Signed in (the controls carry data-prefs-url and data-csrf-token), each change is also saved
 * to the profile, as the language is, by POSTing it to the profile's preferences form: the
 * server then renders every next page, in this browser or another, with it (base.html's
 * data-prefs="user"). One request at a time, the latest choice last, so they cannot arrive
 * out of order; `keepalive` lets one started just before leaving the page finish.
 */
(function () {
  "use strict";
  var root = document.documentElement;
  var CHOICES = {
    theme: ["light", "dark", "system"],
    palette: ["gator", "jungle", "sand", "crimson"],
  };
  var YEAR = 365 * 24 * 60 * 60;

  function current(name) {
    var value = root.getAttribute("data-" + name);
    return CHOICES[name].indexOf(value) >= 0 ? value : CHOICES[name][name === "theme" ? 2 : 0];
  }

  function remember(name, value) {
    try {
      window.localStorage.setItem("croody_" + name, value);
    } catch (e) {
      /* storage blocked: the cookie still remembers */
    }
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie =
      "croody_" + name + "=" + value + "; Path=/; Max-Age=" + YEAR + "; SameSite=Lax" + secure;
  }

  function reflect() {
    var theme = current("theme");
    var palette = current("palette");
    document.querySelectorAll("[data-set-theme]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.setTheme === theme));
    });
    document.querySelectorAll("[data-set-palette]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.setPalette === palette));
    });
    var meta = document.querySelector('meta[name="color-scheme"]');
    if (meta) meta.setAttribute("content", theme === "system" ? "light dark" : theme);
  }

  function apply(name, value, save) {
    if (CHOICES[name].indexOf(value) < 0) return;
    root.setAttribute("data-" + name, value);
    if (save) {
      remember(name, value);
      document.dispatchEvent(
        new CustomEvent("croody:preferences", {
          detail: { theme: current("theme"), palette: current("palette") },
        })
      );
    }
    reflect();
  }

  var controls = document.querySelector("[data-theme-controls][data-prefs-url]");
  var saving = false;
  var waiting = null; // the latest choice made while a request was under way

  function post(choice) {
    var body = new URLSearchParams();
    body.set("prefs-theme", choice.theme);
    body.set("prefs-palette", choice.palette);
    return window
      .fetch(controls.getAttribute("data-prefs-url"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        keepalive: true,
        headers: {
          Accept: "application/json",
          "X-CSRFToken": controls.getAttribute("data-csrf-token") || "",
        },
      })
      .catch(function () {
        /* offline: this browser still remembers it (localStorage and cookie) */
      });
  }

  function saveToProfile(choice) {
    if (saving) {
      waiting = choice;
      return;
    }
    saving = true;
    post(choice).then(function () {
      saving = false;
      if (waiting) {
        var next = waiting;
        waiting = null;
        saveToProfile(next);
      }
    });
  }

  if (controls && window.fetch && window.URLSearchParams) {
    document.addEventListener("croody:preferences", function (event) {
      saveToProfile(event.detail);
    });
    window.addEventListener("pagehide", function () {
      if (waiting) post(waiting); // leaving before its turn came: send it now
      waiting = null;
    });
  }

  // A signed-in user's saved choice (rendered by the server) becomes this browser's too.
  if (root.getAttribute("data-prefs") === "user") {
    remember("theme", current("theme"));
    remember("palette", current("palette"));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-set-theme], [data-set-palette]");
    if (!button) return;
    if (button.dataset.setTheme) apply("theme", button.dataset.setTheme, true);
    else apply("palette", button.dataset.setPalette, true);
  });

  // Another tab changed it: follow.
  window.addEventListener("storage", function (event) {
    if (event.key === "croody_theme") apply("theme", event.newValue, false);
    if (event.key === "croody_palette") apply("palette", event.newValue, false);
  });

  var toggle = document.querySelector("[data-theme-toggle]");
  var panel = document.querySelector("[data-theme-panel]");
  if (toggle && panel && window.Croody && window.Croody.disclosure) {
    window.Croody.disclosure(toggle, panel, { closeOnOutsideClick: true, closeOnFocusOut: true });
  }
  reflect();
})();
