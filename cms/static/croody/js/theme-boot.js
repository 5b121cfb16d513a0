(function (root) {
  /* Croody theme boot (inlined in <head>, allowed by its CSP hash): see theme.js. */
  var choices = { theme: ["light", "dark", "system"], palette: ["gator", "jungle", "sand", "crimson"] };
  root.setAttribute("data-js", "");
  if (root.getAttribute("data-prefs") === "user") return; /* the signed-in user's saved choice */
  function stored(name) {
    var value = null;
    try { value = window.localStorage.getItem("croody_" + name); } catch (e) { /* blocked */ }
    if (!value) {
      var match = document.cookie.match(new RegExp("(?:^|; )croody_" + name + "=([a-z]+)"));
      value = match && match[1];
    }
    return choices[name].indexOf(value) >= 0 ? value : null;
  }
  var theme = stored("theme"), palette = stored("palette");
  if (palette) root.setAttribute("data-palette", palette);
  if (theme) {
    root.setAttribute("data-theme", theme);
    var meta = document.querySelector('meta[name="color-scheme"]');
    if (meta) meta.setAttribute("content", theme === "system" ? "light dark" : theme);
  }
})(document.documentElement);
