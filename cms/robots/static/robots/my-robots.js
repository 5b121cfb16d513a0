/*
 * "My robots" on the profile page, live: readings from GET /api/telemetry/live (Server-Sent
 * Events, authenticated by the site's croody_api cookie) update the table and the map.
 *
 * Contract (robots/includes/my_robots.html)
 * -------------------------------------------
 *   <section data-my-robots data-live-url="/api/telemetry/live" data-trail-points="120"
 *            data-trail-gap-ms="60000"
 *            data-label-moving="Moving" … data-text-live="…" data-text-reconnecting="…">
 *     <p data-live-status role="status" hidden></p>
 *     <tr data-robot="rover-1-3f9a1c"> <td data-field="status|battery|position|speed|ts">
 *     <svg data-robot-map viewBox="…">
 *       <g data-robot="rover-1-3f9a1c"> <polyline class="robot-track__trail">
 *         <g class="robot-track__marker"> <line class="robot-track__heading">
 *                                         <circle class="robot-track__position">
 *
 * - Without JavaScript the server-rendered table and map stay as they are.
 * - The map follows cms/robots/robot_map.py: SVG y is minus the robot's y (north up), the
 *   view is ASPECT wide for 1 high, at least MIN_WIDTH metres wide, PADDING around every
 *   point, the marker radius MARKER_SCALE of the width. It is refitted on every reading.
 * - Readings older than the one shown for a robot (late arrivals) are left out; readings of
 *   robots not on this page (staff may read every robot) are ignored. After a silence longer
 *   than data-trail-gap-ms a robot's trail starts again (it did not drive in between).
 * - The browser reconnects by itself after a network error (resuming with Last-Event-ID).
 *   When the stream is refused (the cookie expired while the page was open), a HEAD request
 *   to this page renews the cookie and the stream is opened again, backing off up to 1 min.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-my-robots]");
  var svg = root && root.querySelector("[data-robot-map]");
  if (!svg || !window.EventSource) return;

  var ASPECT = 1.6;
  var MIN_WIDTH = 20;
  var PADDING = 0.08;
  var MARKER_SCALE = 0.012;
  var HEADING_LENGTH = 3;
  var BADGES = { moving: "badge--success", error: "badge--danger", offline: "badge--warning" };
  var maxPoints = parseInt(root.getAttribute("data-trail-points"), 10) || 120;
  var gapMs = parseInt(root.getAttribute("data-trail-gap-ms"), 10) || 60000;
  var language = document.documentElement.lang || undefined;
  var statusLine = root.querySelector("[data-live-status]");
  var tracks = {};

  function formatter(digits) {
    return new Intl.NumberFormat(language, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
  }
  var oneDigit = formatter(1);
  var twoDigits = formatter(2);

  function svgNumber(value) {
    return String(Math.round(value * 100) / 100);
  }

  function parsePoints(text) {
    return (text || "").trim().split(/\s+/).filter(Boolean).map(function (pair) {
      var xy = pair.split(",");
      return [parseFloat(xy[0]), parseFloat(xy[1])];
    });
  }

  Array.prototype.forEach.call(svg.querySelectorAll("g[data-robot]"), function (group) {
    var id = group.getAttribute("data-robot");
    var track = {
      trail: [],
      position: null,
      lastTime: 0,
      polyline: group.querySelector(".robot-track__trail"),
      marker: group.querySelector(".robot-track__marker"),
      line: group.querySelector(".robot-track__heading"),
      circle: group.querySelector(".robot-track__position"),
      row: root.querySelector('tr[data-robot="' + id + '"]'),
    };
    track.trail = parsePoints(track.polyline.getAttribute("points"));
    if (track.marker.getAttribute("visibility") !== "hidden") {
      var cx = parseFloat(track.circle.getAttribute("cx"));
      var cy = parseFloat(track.circle.getAttribute("cy"));
      var dx = parseFloat(track.line.getAttribute("x2")) - cx;
      var dy = parseFloat(track.line.getAttribute("y2")) - cy;
      track.position = [cx, cy, (Math.atan2(dx, -dy) * 180) / Math.PI];
    }
    var shown = track.row && track.row.querySelector("time[datetime]");
    if (shown) track.lastTime = Date.parse(shown.getAttribute("datetime")) || 0;
    tracks[id] = track;
  });

  function viewBox() {
    var xs = [];
    var ys = [];
    Object.keys(tracks).forEach(function (id) {
      var track = tracks[id];
      track.trail.concat(track.position ? [track.position] : []).forEach(function (point) {
        xs.push(point[0]);
        ys.push(point[1]);
      });
    });
    if (!xs.length) return null;
    var minX = Math.min.apply(null, xs);
    var maxX = Math.max.apply(null, xs);
    var minY = Math.min.apply(null, ys);
    var maxY = Math.max.apply(null, ys);
    var width = Math.max(maxX - minX, (maxY - minY) * ASPECT, MIN_WIDTH) / (1 - 2 * PADDING);
    var height = width / ASPECT;
    return [(minX + maxX) / 2 - width / 2, (minY + maxY) / 2 - height / 2, width, height];
  }

  function redraw() {
    var box = viewBox();
    if (!box) return;
    svg.setAttribute("viewBox", box.map(svgNumber).join(" "));
    var radius = box[2] * MARKER_SCALE;
    Object.keys(tracks).forEach(function (id) {
      var track = tracks[id];
      track.polyline.setAttribute(
        "points",
        track.trail.map(function (p) { return svgNumber(p[0]) + "," + svgNumber(p[1]); }).join(" ")
      );
      if (!track.position) return;
      var x = track.position[0];
      var y = track.position[1];
      var angle = (track.position[2] * Math.PI) / 180;
      var length = radius * HEADING_LENGTH;
      track.circle.setAttribute("cx", svgNumber(x));
      track.circle.setAttribute("cy", svgNumber(y));
      track.circle.setAttribute("r", svgNumber(radius));
      track.line.setAttribute("x1", svgNumber(x));
      track.line.setAttribute("y1", svgNumber(y));
      track.line.setAttribute("x2", svgNumber(x + length * Math.sin(angle)));
      track.line.setAttribute("y2", svgNumber(y - length * Math.cos(angle)));
      track.marker.removeAttribute("visibility");
    });
  }

  function setCell(row, field, build) {
    var cell = row.querySelector('[data-field="' + field + '"]');
    if (!cell) return;
    cell.textContent = "";
    build(cell);
  }

  function updateRow(row, reading, when) {
    setCell(row, "status", function (cell) {
      var badge = document.createElement("span");
      badge.className = "badge" + (BADGES[reading.status] ? " " + BADGES[reading.status] : "");
      badge.textContent = root.getAttribute("data-label-" + reading.status) || reading.status;
      cell.appendChild(badge);
    });
    setCell(row, "battery", function (cell) {
      cell.textContent = oneDigit.format(reading.battery) + " %";
    });
    setCell(row, "position", function (cell) {
      cell.textContent = oneDigit.format(reading.x) + ", " + oneDigit.format(reading.y) + " m";
    });
    setCell(row, "speed", function (cell) {
      cell.textContent = twoDigits.format(reading.speed) + " m/s";
    });
    setCell(row, "ts", function (cell) {
      var time = document.createElement("time");
      time.setAttribute("datetime", reading.ts);
      time.textContent = new Date(when).toLocaleString(language);
      cell.appendChild(time);
    });
  }

  function apply(reading) {
    var track = tracks[reading.robot_id];
    var when = Date.parse(reading.ts);
    if (!track || !(when >= track.lastTime)) return;
    if (track.lastTime && when - track.lastTime > gapMs) track.trail = [];
    track.lastTime = when;
    track.position = [reading.x, -reading.y, reading.heading];
    track.trail.push([reading.x, -reading.y]);
    if (track.trail.length > maxPoints) track.trail.splice(0, track.trail.length - maxPoints);
    if (track.row) updateRow(track.row, reading, when);
  }

  // Readings come in bursts (batches): draw once per frame, not once per reading.
  var drawPending = false;
  function scheduleRedraw() {
    if (drawPending) return;
    drawPending = true;
    window.requestAnimationFrame(function () {
      drawPending = false;
      redraw();
    });
  }

  function showStatus(name) {
    if (!statusLine) return;
    var text = root.getAttribute("data-text-" + name) || "";
    if (statusLine.textContent !== text) statusLine.textContent = text;
    statusLine.hidden = !text;
  }

  var source = null;
  var retryDelay = 2000;

  function connect() {
    source = new EventSource(root.getAttribute("data-live-url"));
    source.addEventListener("open", function () {
      retryDelay = 2000;
      showStatus("live");
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
      showStatus("reconnecting");
      if (source.readyState !== EventSource.CLOSED) return; // the browser retries by itself
      window.setTimeout(renewAndConnect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 60000);
    });
  }

  function renewAndConnect() {
    // Any request of a signed-in user renews the croody_api cookie (ApiSessionMiddleware).
    window
      .fetch(window.location.pathname, { method: "HEAD", credentials: "same-origin", cache: "no-store" })
      .catch(function () {})
      .then(connect);
  }

  // Leaving the page closes the stream (and lets the browser keep the page in its back/forward
  // cache); coming back to it from that cache opens a new one.
  window.addEventListener("pagehide", function () {
    if (source) source.close();
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) connect();
  });
  connect();
})();
