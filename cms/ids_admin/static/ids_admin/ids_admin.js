// The IDS alerts page, enhanced: a chart bar's counts on touch, hover and keyboard, and
// "select all" for the triage form. Without this script the page still works: bars have
// <title> tooltips, the chart has a table, and each prediction has its own checkbox. The
// readout repeats the bar's <title>, which the server wrote in the page's language with its
// digit grouping, so it matches the counters and the table exactly.
(() => {
  "use strict";

  function enhanceChart(figure, svg) {
    const readout = figure.querySelector("[data-ids-readout]");
    const bars = Array.from(svg.querySelectorAll("g.ids-bar"));
    if (!readout || bars.length === 0) return;
    let current = -1;

    const show = (index) => {
      current = Math.max(0, Math.min(bars.length - 1, index));
      bars.forEach((bar, i) => bar.classList.toggle("is-current", i === current));
      const bar = bars[current];
      const title = bar.querySelector("title");
      readout.textContent = title ? title.textContent : "";
      readout.hidden = false;
    };
    const latestWithData = () => {
      for (let i = bars.length - 1; i >= 0; i -= 1) {
        if (Number(bars[i].dataset.attacks) + Number(bars[i].dataset.normal) > 0) return i;
      }
      return bars.length - 1;
    };
    const barAt = (event) => {
      const target = event.target instanceof Element ? event.target.closest("g.ids-bar") : null;
      return target ? bars.indexOf(target) : -1;
    };

    svg.setAttribute("tabindex", "0");
    svg.addEventListener("pointerdown", (event) => {
      const index = barAt(event);
      if (index >= 0) show(index);
    });
    svg.addEventListener("pointermove", (event) => {
      const index = barAt(event);
      if (index >= 0 && index !== current) show(index);
    });
    svg.addEventListener("focus", () => {
      if (current < 0) show(latestWithData());
    });
    svg.addEventListener("keydown", (event) => {
      // Time runs left to right in the chart, in every language.
      const steps = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 };
      let index;
      if (event.key in steps) index = (current < 0 ? latestWithData() : current) + steps[event.key];
      else if (event.key === "Home") index = 0;
      else if (event.key === "End") index = bars.length - 1;
      else return;
      event.preventDefault();
      show(index);
    });
  }

  function enhanceSelection(form) {
    const all = form.querySelector("[data-ids-select-all]");
    const boxes = Array.from(form.querySelectorAll("input[type=checkbox][name=ids]"));
    if (!all || boxes.length === 0) return;
    const sync = () => {
      const ticked = boxes.filter((box) => box.checked).length;
      all.checked = ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    };
    all.hidden = false;
    all.addEventListener("change", () => {
      boxes.forEach((box) => {
        box.checked = all.checked;
      });
      sync();
    });
    boxes.forEach((box) => box.addEventListener("change", sync));
    sync();
  }

  document.querySelectorAll("[data-ids-chart]").forEach((figure) => {
    figure.querySelectorAll("svg.ids-chart").forEach((svg) => enhanceChart(figure, svg));
  });
  document.querySelectorAll("form.ids-bulk").forEach(enhanceSelection);
})();
