/*
 * "My robots" on the profile page: the table and the map follow the readings live
 * (GET /api/telemetry/live, Server-Sent Events authenticated by the site's croody_api cookie),
 * every time and number is shown in the page's language (Intl), and the last 30 minutes can be
 * replayed from GET /api/telemetry/query.
 *
 * Contract (robots/includes/my_robots.html)
 * -------------------------------------------
 *   <section data-my-robots data-live-url data-query-url data-trail-points="120"
 *            data-trail-gap-ms="60000" data-replay-ms="1800000" data-dock-statuses="docked charging"
 *            data-label-<status>="…" data-text-<name>="…"  (texts; "%(distance)s" is replaced)>
 *     <p data-live-status role="status" hidden>
 *     <tr data-robot="rover-1-3f9a1c">
 *       <td data-field="status|battery|speed" data-value> <td data-field="position" data-x data-y>
 *       <td data-field="ts"><time datetime>
 *     <div data-map-empty>  (before the first reading: how to send one)
 *     <div data-replay hidden> <button data-replay-toggle> <span data-replay-label>
 *       <div data-replay-timeline hidden> <input type=range data-replay-slider>
 *         <output data-replay-clock> <button data-replay-stop>
 *     <p data-replay-status role="status" hidden>
 *     <figure data-map-figure [hidden]> <svg> (pixels)
 *       <svg data-robot-map viewBox="…"> (metres) <path data-grid>
 *         <g data-robot="rover-1-3f9a1c"> <polyline class="robot-track__trail">
 *           <rect class="robot-track__start" [data-index data-dock]> <title>
 *           <g class="robot-track__marker"> <line class="robot-track__heading">
 *                                           <circle class="robot-track__position">
 *       <svg data-scale> <line class="robot-map__scale-bar"> ×3 <text data-scale-label>
 *       <span data-grid-label>
 *
 * - Without JavaScript the server-rendered table and map stay as they are.
 * - The map follows cms/robots/robot_map.py: SVG y is minus the robot's y (north up), the
 *   view is ASPECT wide for 1 high, at least MIN_WIDTH metres wide, PADDING around every
 *   point, the marker radius MARKER_SCALE of the width; the grid spacing the smallest 1, 2 or
 *   5 × 10ⁿ m with at most GRID_SQUARES squares across, the scale bar one square long. The
 *   start square is on the trail's last point at the dock, else its first.
 * - Readings older than the one shown for a robot (late arrivals) are left out; readings of
 *   robots not on this page (staff may read every robot) are ignored. After a silence longer
 *   than data-trail-gap-ms a robot's trail starts again (it did not drive in between).
 * - Replay: the 30 minutes before the latest reading play in REPLAY_DURATION_MS; the slider
 *   moves through them by keyboard too; Escape goes back to live. With prefers-reduced-motion
 *   nothing plays by itself, and Play steps a minute a second instead of gliding.
 * - The browser reconnects by itself after a network error (resuming with Last-Event-ID).
 *   When the stream is refused (the cookie expired while the page was open), a HEAD request
 *   to this page renews the cookie and the stream is opened again, backing off up to 1 min.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-my-robots]");
  var svg = root && root.querySelector("[data-robot-map]");
  if (!svg) return;

  var ASPECT = 1.6;
  var MIN_WIDTH = 20;
  var PADDING = 0.08;
  var MARKER_SCALE = 0.012;
  var START_SCALE = 0.014;
  var HEADING_LENGTH = 3;
  var GRID_SQUARES = 8;
  var NICE_STEPS = [1, 2, 5];
  var SCALE_MARGIN = 0.03;
  var REPLAY_DURATION_MS = 15000; // the 30 minutes play in 15 seconds
  var REDUCED_STEP_MS = 60000; // with reduced motion: a minute a second, no gliding
  var MAX_REPLAY_POINTS = 5000; // per robot: the newest ones
  var SVG_NS = "http://www.w3.org/2000/svg";
  var BADGES = { moving: "badge--success", error: "badge--danger", offline: "badge--warning" };

  var maxPoints = parseInt(root.getAttribute("data-trail-points"), 10) || 120;
  var gapMs = parseInt(root.getAttribute("data-trail-gap-ms"), 10) || 60000;
  var windowMs = parseInt(root.getAttribute("data-replay-ms"), 10) || 1800000;
  var dockStatuses = (root.getAttribute("data-dock-statuses") || "").split(/\s+/);
  var language = document.documentElement.lang || undefined;
  var rtl = window.getComputedStyle(root).direction === "rtl";
  var statusLine = root.querySelector("[data-live-status]");
  var figure = root.querySelector("[data-map-figure]");
  var empty = root.querySelector("[data-map-empty]");
  var gridPath = svg.querySelector("[data-grid]");
  var scaleBars = root.querySelectorAll(".robot-map__scale-bar");
  var scaleLabel = root.querySelector("[data-scale-label]");
  var gridLabel = root.querySelector("[data-grid-label]");
  var tracks = {};

  function text(name, distance) {
    var value = root.getAttribute("data-text-" + name) || "";
    return distance === undefined ? value : value.replace("%(distance)s", distance);
  }

  // --- Numbers and times: one format each, the page's language, never "-0" ----------------

  var numberFormats = {};
  function formatNumber(value, digits) {
    var format = numberFormats[digits];
    if (!format) {
      format = numberFormats[digits] = new Intl.NumberFormat(language, {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
        useGrouping: false, // as Django shows them
      });
    }
    // Rounded first (half away from zero, as Django's floatformat), so that -0.04 is 0.0.
    var factor = Math.pow(10, digits);
    var rounded = (Math.sign(value) * Math.round(Math.abs(value) * factor)) / factor;
    return format.format(rounded === 0 ? 0 : rounded); // -0 === 0: never "-0,0"
  }

  function formatDistance(metres) {
    // A grid step: 5, 20, 0.5 (as floatformat: decimals only when there are any).
    return formatNumber(metres, metres === Math.round(metres) ? 0 : 1);
  }

  var timeFormat = new Intl.DateTimeFormat(language, { dateStyle: "short", timeStyle: "medium" });
  function formatTime(ms) {
    return timeFormat.format(new Date(ms));
  }

  function svgNumber(value) {
    return String(Math.round(value * 100) / 100); // String(-0) is "0"
  }

  // --- The table ------------------------------------------------------------------------

  function setCell(row, field, build) {
    var cell = row.querySelector('[data-field="' + field + '"]');
    if (!cell) return;
    cell.textContent = "";
    build(cell);
  }

  function showReading(row, reading) {
    setCell(row, "status", function (cell) {
      var badge = document.createElement("span");
      badge.className = "badge" + (BADGES[reading.status] ? " " + BADGES[reading.status] : "");
      badge.textContent = root.getAttribute("data-label-" + reading.status) || reading.status;
      cell.appendChild(badge);
    });
    setCell(row, "battery", function (cell) {
      cell.textContent = formatNumber(reading.battery, 1) + " %";
    });
    setCell(row, "position", function (cell) {
      cell.textContent = formatNumber(reading.x, 1) + ", " + formatNumber(reading.y, 1) + " m";
    });
    setCell(row, "speed", function (cell) {
      cell.textContent = formatNumber(reading.speed, 2) + " m/s";
    });
    setCell(row, "ts", function (cell) {
      var time = document.createElement("time");
      time.setAttribute("datetime", reading.ts);
      time.textContent = formatTime(Date.parse(reading.ts));
      cell.appendChild(time);
    });
  }

  // The server wrote Django's formats (and its time zone); live rows get the browser's: show
  // every row the browser's way, so that all of them read alike.
  Array.prototype.forEach.call(root.querySelectorAll("tr[data-robot]"), function (row) {
    var time = row.querySelector("time[datetime]");
    var position = row.querySelector('[data-field="position"]');
    if (!time || !position) return;
    function value(field) {
      return row.querySelector('[data-field="' + field + '"]').getAttribute("data-value");
    }
    showReading(row, {
      status: value("status"),
      battery: parseFloat(value("battery")),
      x: parseFloat(position.getAttribute("data-x")),
      y: parseFloat(position.getAttribute("data-y")),
      speed: parseFloat(value("speed")),
      ts: time.getAttribute("datetime"),
    });
  });

  // --- The map --------------------------------------------------------------------------

  function parsePoints(value) {
    return (value || "").trim().split(/\s+/).filter(Boolean).map(function (pair) {
      var xy = pair.split(",");
      return [parseFloat(xy[0]), parseFloat(xy[1])];
    });
  }

  Array.prototype.forEach.call(svg.querySelectorAll("g[data-robot]"), function (group) {
    var id = group.getAttribute("data-robot");
    var track = {
      trail: [], // [x, svg y, at the dock], oldest first, since the last silence
      position: null, // [x, svg y, heading]
      lastTime: 0,
      polyline: group.querySelector(".robot-track__trail"),
      start: group.querySelector(".robot-track__start"),
      marker: group.querySelector(".robot-track__marker"),
      line: group.querySelector(".robot-track__heading"),
      circle: group.querySelector(".robot-track__position"),
      row: root.querySelector('tr[data-robot="' + id + '"]'),
    };
    var dockIndex = track.start.hasAttribute("data-dock")
      ? parseInt(track.start.getAttribute("data-index"), 10)
      : -1;
    track.trail = parsePoints(track.polyline.getAttribute("points")).map(function (point, index) {
      return [point[0], point[1], index === dockIndex];
    });
    if (track.marker.getAttribute("visibility") !== "hidden") {
      var cx = parseFloat(track.circle.getAttribute("cx"));
      var cy = parseFloat(track.circle.getAttribute("cy"));
      var dx = parseFloat(track.line.getAttribute("x2")) - cx;
      var dy = parseFloat(track.line.getAttribute("y2")) - cy;
      track.position = [cx, cy, (Math.atan2(dx, -dy) * 180) / Math.PI];
    }
    var shown = track.row && track.row.querySelector("time[datetime]");
    if (shown) track.lastTime = Date.parse(shown.getAttribute("datetime")) || 0;
    // The replay draws its own path, with breaks at silences (a polyline has none).
    track.replayPath = document.createElementNS(SVG_NS, "path");
    track.replayPath.setAttribute("class", "robot-track__replay");
    track.replayPath.setAttribute("fill", "none");
    track.replayPath.setAttribute("display", "none");
    track.polyline.parentNode.insertBefore(track.replayPath, track.polyline.nextSibling);
    tracks[id] = track;
  });

  function fit(points) {
    if (!points.length) return null;
    var minX = Infinity;
    var maxX = -Infinity;
    var minY = Infinity;
    var maxY = -Infinity;
    points.forEach(function (point) {
      minX = Math.min(minX, point[0]);
      maxX = Math.max(maxX, point[0]);
      minY = Math.min(minY, point[1]);
      maxY = Math.max(maxY, point[1]);
    });
    var width = Math.max(maxX - minX, (maxY - minY) * ASPECT, MIN_WIDTH) / (1 - 2 * PADDING);
    var height = width / ASPECT;
    return [(minX + maxX) / 2 - width / 2, (minY + maxY) / 2 - height / 2, width, height];
  }

  function gridStep(width) {
    if (!(width > 0 && isFinite(width))) return 1;
    var wanted = width / GRID_SQUARES;
    var exponent = Math.floor(Math.log10(wanted));
    for (var power = exponent; power <= exponent + 1; power++) {
      for (var i = 0; i < NICE_STEPS.length; i++) {
        var digits = Math.max(0, -power);
        var step = Number((NICE_STEPS[i] * Math.pow(10, power)).toFixed(digits));
        if (step >= wanted * (1 - 1e-9)) return step;
      }
    }
    return Math.pow(10, exponent + 1);
  }

  function gridLines(start, length, step) {
    var lines = [];
    for (var k = Math.ceil(start / step); k <= Math.floor((start + length) / step); k++) {
      lines.push(k * step);
    }
    return lines;
  }

  function setView(box) {
    svg.setAttribute("viewBox", box.map(svgNumber).join(" "));
    var step = gridStep(box[2]);
    var d = gridLines(box[0], box[2], step).map(function (x) {
      return "M" + svgNumber(x) + " " + svgNumber(box[1]) + "V" + svgNumber(box[1] + box[3]);
    });
    gridLines(box[1], box[3], step).forEach(function (y) {
      d.push("M" + svgNumber(box[0]) + " " + svgNumber(y) + "H" + svgNumber(box[0] + box[2]));
    });
    if (gridPath) gridPath.setAttribute("d", d.join(""));
    // The scale bar (bar, start tick, end tick), in percent of the plot's width.
    var fraction = (step / box[2]) * 100;
    var start = rtl ? 100 - SCALE_MARGIN * 100 - fraction : SCALE_MARGIN * 100;
    var ends = [svgNumber(start) + "%", svgNumber(start + fraction) + "%"];
    if (scaleBars.length === 3) {
      scaleBars[0].setAttribute("x1", ends[0]);
      scaleBars[0].setAttribute("x2", ends[1]);
      [ends[0], ends[1]].forEach(function (x, index) {
        scaleBars[index + 1].setAttribute("x1", x);
        scaleBars[index + 1].setAttribute("x2", x);
      });
    }
    var distance = formatDistance(step);
    if (scaleLabel) {
      scaleLabel.setAttribute("x", svgNumber(start + fraction / 2) + "%");
      scaleLabel.textContent = text("metres", distance);
    }
    if (gridLabel) gridLabel.textContent = text("grid", distance);
  }

  // The start square: on the last point at the dock, else on the first one.
  function startOf(points) {
    for (var i = points.length - 1; i >= 0; i--) {
      if (points[i][2]) return points[i];
    }
    return points.length ? points[0] : null;
  }

  function drawMarkers(track, box, position, start) {
    var radius = box[2] * MARKER_SCALE;
    if (position) {
      var x = position[0];
      var y = position[1];
      var angle = (position[2] * Math.PI) / 180;
      var length = radius * HEADING_LENGTH;
      track.circle.setAttribute("cx", svgNumber(x));
      track.circle.setAttribute("cy", svgNumber(y));
      track.circle.setAttribute("r", svgNumber(radius));
      track.line.setAttribute("x1", svgNumber(x));
      track.line.setAttribute("y1", svgNumber(y));
      track.line.setAttribute("x2", svgNumber(x + length * Math.sin(angle)));
      track.line.setAttribute("y2", svgNumber(y - length * Math.cos(angle)));
      track.marker.removeAttribute("visibility");
    } else {
      track.marker.setAttribute("visibility", "hidden");
    }
    if (start) {
      var half = box[2] * START_SCALE;
      track.start.setAttribute("x", svgNumber(start[0] - half));
      track.start.setAttribute("y", svgNumber(start[1] - half));
      track.start.setAttribute("width", svgNumber(2 * half));
      track.start.setAttribute("height", svgNumber(2 * half));
      track.start.toggleAttribute("data-dock", !!start[2]);
      var title = track.start.querySelector("title");
      if (title) title.textContent = text(start[2] ? "dock" : "start");
      track.start.removeAttribute("visibility");
    } else {
      track.start.setAttribute("visibility", "hidden");
    }
  }

  function redraw() {
    var points = [];
    Object.keys(tracks).forEach(function (id) {
      var track = tracks[id];
      points = points.concat(track.trail, track.position ? [track.position] : []);
    });
    var box = fit(points);
    if (!box) return;
    setView(box);
    Object.keys(tracks).forEach(function (id) {
      var track = tracks[id];
      track.polyline.setAttribute(
        "points",
        track.trail.map(function (p) { return svgNumber(p[0]) + "," + svgNumber(p[1]); }).join(" ")
      );
      drawMarkers(track, box, track.position, startOf(track.trail));
    });
  }

  // Numbers of the scale and grid labels in the page's format, as everywhere else.
  if (figure && !figure.hidden) redraw();

  // --- Live readings --------------------------------------------------------------------

  var replayBox = root.querySelector("[data-replay]");

  function reveal() {
    if (figure && figure.hidden) {
      figure.hidden = false;
      if (empty) empty.hidden = true;
    }
    if (replayBox) replayBox.hidden = false;
  }

  function apply(reading) {
    var track = tracks[reading.robot_id];
    var when = Date.parse(reading.ts);
    if (!track || !(when >= track.lastTime)) return;
    if (track.lastTime && when - track.lastTime > gapMs) track.trail = [];
    track.lastTime = when;
    track.position = [reading.x, -reading.y, reading.heading];
    track.trail.push([reading.x, -reading.y, dockStatuses.indexOf(reading.status) >= 0]);
    if (track.trail.length > maxPoints) track.trail.splice(0, track.trail.length - maxPoints);
    if (track.row) showReading(track.row, reading);
    reveal();
  }

  // Readings come in bursts (batches): draw once per frame, not once per reading; not at all
  // while a replay is on (the trail catches up when it ends).
  var drawPending = false;
  function scheduleRedraw() {
    if (drawPending) return;
    drawPending = true;
    window.requestAnimationFrame(function () {
      drawPending = false;
      if (!replay) redraw();
    });
  }

  function showStatus(line, message) {
    if (!line) return;
    if (line.textContent !== message) line.textContent = message;
    line.hidden = !message;
  }

  // Any request of a signed-in user renews the croody_api cookie (ApiSessionMiddleware).
  function renewCookie() {
    return window
      .fetch(window.location.pathname, { method: "HEAD", credentials: "same-origin", cache: "no-store" })
      .catch(function () {});
  }

  var source = null;
  var retryDelay = 2000;

  function connect() {
    source = new EventSource(root.getAttribute("data-live-url"));
    source.addEventListener("open", function () {
      retryDelay = 2000;
      showStatus(statusLine, text("live"));
    });
    source.addEventListener("reading", function (event) {
      var reading;
      try {
        reading = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      apply(reading);
      scheduleRedraw();
    });
    source.addEventListener("error", function () {
      showStatus(statusLine, text("reconnecting"));
      if (source.readyState !== EventSource.CLOSED) return; // the browser retries by itself
      window.setTimeout(function () { renewCookie().then(connect); }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 60000);
    });
  }

  if (window.EventSource) {
    // Leaving the page closes the stream (and lets the browser keep the page in its
    // back/forward cache); coming back to it from that cache opens a new one.
    window.addEventListener("pagehide", function () {
      if (source) source.close();
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) connect();
    });
    connect();
  }

  // --- Replay the last 30 minutes -------------------------------------------------------

  if (!replayBox || !window.fetch) return;
  var toggle = replayBox.querySelector("[data-replay-toggle]");
  var toggleLabel = replayBox.querySelector("[data-replay-label]");
  var playIcon = replayBox.querySelector("[data-icon-play]");
  var pauseIcon = replayBox.querySelector("[data-icon-pause]");
  var timeline = replayBox.querySelector("[data-replay-timeline]");
  var slider = replayBox.querySelector("[data-replay-slider]");
  var clock = replayBox.querySelector("[data-replay-clock]");
  var stopButton = replayBox.querySelector("[data-replay-stop]");
  var replayStatus = root.querySelector("[data-replay-status]");
  var reducedMotion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
  var queryUrl = root.getAttribute("data-query-url");
  // null: live. Else {from, to, time, series: {robot id: [[ms, x, svg y, heading, at dock]]},
  // box, loading, playing, frame, timer}.
  var replay = null;

  if (figure && !figure.hidden) replayBox.hidden = false;

  function showPlaying(playing) {
    toggleLabel.textContent = text(replay ? (playing ? "pause" : "play") : "replay");
    playIcon.toggleAttribute("hidden", playing);
    pauseIcon.toggleAttribute("hidden", !playing);
  }

  // A robot's readings in [from, to), oldest first: the newest MAX_REPLAY_POINTS of them.
  function history(id, from, to) {
    var rows = [];
    var renewed = false;
    function page(cursor) {
      var url = queryUrl + "?robot=" + encodeURIComponent(id) + "&from=" + from + "&to=" + to +
        "&order=desc&limit=1000" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
      return window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 401 && !renewed) {
            renewed = true; // the cookie expired while the page was open
            return renewCookie().then(function () { return page(cursor); });
          }
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json().then(function (body) {
            rows = rows.concat(body.readings);
            if (body.next_cursor && rows.length < MAX_REPLAY_POINTS) return page(body.next_cursor);
            return rows.reverse();
          });
        });
    }
    return page(null);
  }

  function startReplay() {
    var latest = 0;
    Object.keys(tracks).forEach(function (id) {
      latest = Math.max(latest, tracks[id].lastTime);
    });
    if (!latest) return;
    var to = latest + 1;
    replay = { from: to - windowMs, to: to, time: to - windowMs, series: {}, loading: true };
    var current = replay;
    showStatus(replayStatus, text("replay-loading"));
    var ids = Object.keys(tracks).filter(function (id) { return tracks[id].lastTime; });
    Promise.all(ids.map(function (id) {
      return history(id, current.from, current.to).then(function (rows) {
        current.series[id] = rows.map(function (row) {
          return [Date.parse(row.ts), row.x, -row.y, row.heading, dockStatuses.indexOf(row.status) >= 0];
        });
      });
    })).then(function () {
      if (replay !== current) return; // stopped while loading
      var points = [];
      ids.forEach(function (id) { points = points.concat(current.series[id]); });
      current.box = fit(points.map(function (p) { return [p[1], p[2]]; }));
      current.loading = false;
      if (!current.box) return stopReplay(text("replay-failed"));
      setView(current.box);
      Object.keys(tracks).forEach(function (id) {
        tracks[id].polyline.setAttribute("display", "none");
        tracks[id].replayPath.removeAttribute("display");
      });
      slider.max = String(windowMs);
      timeline.hidden = false;
      render();
      if (reducedMotion && reducedMotion.matches) {
        showPlaying(false);
        showStatus(replayStatus, text("replay-ready"));
      } else {
        play();
      }
    }, function () {
      if (replay === current) stopReplay(text("replay-failed"));
    });
  }

  function render() {
    var time = replay.time;
    Object.keys(tracks).forEach(function (id) {
      var track = tracks[id];
      var points = replay.series[id] || [];
      var shown = 0;
      while (shown < points.length && points[shown][0] <= time) shown++;
      var d = [];
      var since = 0; // the first point after the last silence
      for (var i = 0; i < shown; i++) {
        var gap = i === 0 || points[i][0] - points[i - 1][0] > gapMs;
        if (gap) since = i;
        d.push((gap ? "M" : "L") + svgNumber(points[i][1]) + " " + svgNumber(points[i][2]));
      }
      track.replayPath.setAttribute("d", d.join(""));
      var last = shown ? points[shown - 1] : null;
      var stretch = points.slice(since, shown).map(function (p) { return [p[1], p[2], p[4]]; });
      drawMarkers(track, replay.box, last && [last[1], last[2], last[3]], startOf(stretch));
    });
    var offset = time - replay.from;
    slider.value = String(offset);
    slider.setAttribute("aria-valuetext", formatTime(time));
    clock.textContent = formatTime(time);
  }

  function tick(elapsed) {
    replay.time = Math.min(replay.time + elapsed, replay.to);
    render();
    if (replay.time >= replay.to) {
      pause();
      showStatus(replayStatus, text("replay-ended"));
    }
  }

  function play() {
    if (replay.time >= replay.to) replay.time = replay.from; // again, from the start
    replay.playing = true;
    showPlaying(true);
    showStatus(replayStatus, text("replay-playing"));
    if (reducedMotion && reducedMotion.matches) {
      replay.timer = window.setInterval(function () { tick(REDUCED_STEP_MS); }, 1000);
      return;
    }
    var before = null;
    var current = replay;
    function frame(now) {
      if (replay !== current || !current.playing) return;
      if (before !== null) tick(((now - before) * windowMs) / REPLAY_DURATION_MS);
      before = now;
      if (current.playing) current.frame = window.requestAnimationFrame(frame);
    }
    replay.frame = window.requestAnimationFrame(frame);
  }

  function pause() {
    replay.playing = false;
    window.clearInterval(replay.timer);
    window.cancelAnimationFrame(replay.frame);
    showPlaying(false);
  }

  function stopReplay(message) {
    if (!replay) return;
    if (!replay.loading) pause();
    replay = null;
    timeline.hidden = true;
    showPlaying(false);
    Object.keys(tracks).forEach(function (id) {
      tracks[id].polyline.removeAttribute("display");
      tracks[id].replayPath.setAttribute("display", "none");
    });
    redraw();
    showStatus(replayStatus, message || "");
  }

  toggle.addEventListener("click", function () {
    if (!replay) startReplay();
    else if (replay.loading) return;
    else if (replay.playing) pause();
    else play();
  });

  slider.addEventListener("input", function () {
    if (!replay || replay.loading) return;
    if (replay.playing) pause();
    replay.time = replay.from + Number(slider.value);
    render();
  });

  stopButton.addEventListener("click", function () {
    stopReplay();
    toggle.focus();
  });

  replayBox.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && replay) {
      stopReplay();
      toggle.focus();
    }
  });
})();
