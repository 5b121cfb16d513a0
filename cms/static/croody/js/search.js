/*
 * Live search and filters for GET forms, by progressive enhancement.
 *
 * Contract
 * --------
 *   <form method="get" action="/es/shop/" data-live-search>            (action optional)
 *     <input type="search" name="q">  <select name="category">…</select>  <button>Search</button>
 *   </form>
 *   <p data-search-status role="status">24 results</p>                 (optional)
 *   <div data-search-results> …results, pagination… </div>
 *
 * - Without JavaScript the form submits normally and the server renders the page.
 * - With it, any change (text input debounced by 300 ms, or data-live-search-debounce="ms";
 *   selects, checkboxes and radios at once; submit at once) fetches the same URL the form
 *   would load: action + "?" + the form's fields, with header `X-Requested-With: fetch`.
 * - The response is a whole HTML page (the server need not know about this script): its
 *   [data-search-results] element replaces ours (matched by id when there are several,
 *   otherwise the first one). The server may answer only that fragment when it sees the
 *   header; a response without a [data-search-results] element replaces the region's content
 *   with the whole body it returned.
 * - The address bar follows with history.pushState (replaceState while typing), so results
 *   can be shared and reloaded; Back and Forward (popstate) fetch and show those results and
 *   put the values back in the form.
 * - An element [data-search-status] (a role="status" live region kept outside the results)
 *   takes the text of the response's [data-search-status], so screen readers hear e.g. the
 *   new number of results rather than the whole list.
 * - Elements marked data-search-sync with an id (e.g. a count of filters in use on a button)
 *   take the content of the response's element with the same id, where it has one.
 * - Links inside the results region marked data-live-search-link (e.g. pagination) load the
 *   same way, without their #fragment in the address; then the results region (give it
 *   tabindex="-1") takes focus and scrolls to its top, as a new page would start there
 *   (smoothly, unless the visitor prefers reduced motion). Typing never moves focus.
 * - While loading, the region gets aria-busy="true"; errors fall back to a normal page load.
 *   Older responses that arrive late are ignored (AbortController).
 * - Events on the form: `croody:search-start` and `croody:search-end` (detail: {url}).
 */
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-live-search]");
  if (!forms.length || !window.fetch || !window.history.pushState) return;

  function resultsFor(form, scope) {
    var id = form.getAttribute("data-live-search");
    if (id) return scope.getElementById ? scope.getElementById(id) : scope.querySelector("#" + id);
    return scope.querySelector("[data-search-results]");
  }

  function urlFor(form) {
    var action = new URL(form.getAttribute("action") || window.location.pathname, window.location.href);
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && value !== "") params.append(name, value);
    });
    action.search = params.toString();
    return action.toString();
  }

  function fillForm(form, url) {
    var params = new URL(url).searchParams;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "submit" || field.type === "button") return;
      var values = params.getAll(field.name);
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = values.indexOf(field.value) >= 0;
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = values.indexOf(option.value) >= 0;
        });
      } else {
        field.value = values.length ? values[0] : "";
      }
    });
  }

  function showTop(region) {
    var reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    region.focus({ preventScroll: true });
    region.scrollIntoView({ block: "start", behavior: reduce ? "auto" : "smooth" });
  }

  function enhance(form) {
    var region = resultsFor(form, document);
    if (!region) return;
    var controller = null;
    var timer = null;
    var delay = parseInt(form.getAttribute("data-live-search-debounce") || "300", 10);

    function load(url, mode, focusResults) {
      if (controller) controller.abort();
      controller = new AbortController();
      region.setAttribute("aria-busy", "true");
      form.dispatchEvent(new CustomEvent("croody:search-start", { detail: { url: url } }));
      return fetch(url, {
        headers: { "X-Requested-With": "fetch", Accept: "text/html" },
        credentials: "same-origin",
        signal: controller.signal,
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = resultsFor(form, doc);
          region.innerHTML = fresh ? fresh.innerHTML : doc.body.innerHTML;
          var status = document.querySelector("[data-search-status]");
          var freshStatus = doc.querySelector("[data-search-status]");
          if (status && freshStatus) status.textContent = freshStatus.textContent;
          Array.prototype.forEach.call(document.querySelectorAll("[data-search-sync][id]"), function (element) {
            var fresh = doc.getElementById(element.id);
            if (fresh) element.innerHTML = fresh.innerHTML;
          });
          if (mode === "push") window.history.pushState({ liveSearch: true }, "", url);
          if (mode === "replace") window.history.replaceState({ liveSearch: true }, "", url);
          region.removeAttribute("aria-busy");
          if (focusResults) showTop(region);
          form.dispatchEvent(new CustomEvent("croody:search-end", { detail: { url: url } }));
        })
        .catch(function (error) {
          if (error.name === "AbortError") return;
          region.removeAttribute("aria-busy");
          window.location.assign(url); // let the server render it the ordinary way
        });
    }

    var typing = false;
    function search(immediate) {
      window.clearTimeout(timer);
      var run = function () {
        var url = urlFor(form);
        if (url === window.location.href) return;
        // A run of keystrokes makes one history entry, not one per letter.
        load(url, typing ? "replace" : "push");
        typing = true;
      };
      if (immediate) run();
      else timer = window.setTimeout(run, delay);
    }

    form.addEventListener("input", function (event) {
      var type = event.target.type;
      if (type === "checkbox" || type === "radio" || event.target.tagName === "SELECT") return;
      search(false);
    });
    form.addEventListener("change", function (event) {
      var type = event.target.type;
      if (type === "checkbox" || type === "radio" || event.target.tagName === "SELECT") {
        typing = false;
        search(true);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      typing = false;
      search(true);
    });
    form.addEventListener("focusout", function () {
      typing = false; // the next keystrokes start a new history entry
    });

    region.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-live-search-link]");
      if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      typing = false;
      var url = link.href.split("#")[0];
      fillForm(form, url);
      load(url, "push", true);
    });

    window.addEventListener("popstate", function () {
      fillForm(form, window.location.href);
      load(window.location.href, null);
    });
  }

  Array.prototype.forEach.call(forms, enhance);
})();
