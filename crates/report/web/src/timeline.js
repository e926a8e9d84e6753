// The activity plot of a cluster: co-actions per hour, drawn as inline SVG.

import { s, h, fmtInt } from "./util.js";

const HOUR = 3600 * 1000;

function iso(t) {
  return new Date(t).toISOString().slice(0, 16).replace("T", " ");
}

function label(t, withDay) {
  const s = new Date(t).toISOString();
  return withDay ? s.slice(5, 10) + " " + s.slice(11, 16) : s.slice(11, 16);
}

/** @param {[string, number][]} timeline (hour start, count), sorted by time */
export function timelineSvg(timeline, color) {
  const pts = timeline.map(([t, c]) => [Date.parse(t), c]).filter(([t]) => Number.isFinite(t));
  if (pts.length === 0) return h("p", { class: "muted" }, "No timed activity.");
  pts.sort((a, b) => a[0] - b[0]);
  const t0 = pts[0][0];
  const t1 = pts[pts.length - 1][0] + HOUR;
  const spanHours = Math.max(1, Math.round((t1 - t0) / HOUR));
  const max = Math.max(1, ...pts.map((p) => p[1]));

  const W = 640;
  const H = 150;
  const left = 44;
  const right = 10;
  const top = 10;
  const bottom = 34;
  const pw = W - left - right;
  const ph = H - top - bottom;
  const xOf = (t) => left + ((t - t0) / (t1 - t0)) * pw;
  const barW = Math.max(1, pw / spanHours - (spanHours < 80 ? 1 : 0));

  const svg = s("svg", {
    class: "timeline",
    viewBox: `0 0 ${W} ${H}`,
    role: "img",
    "aria-label": `Co-actions per hour, ${pts.length} active hours, at most ${max} in one hour`,
  });
  // Axes and grid.
  svg.appendChild(s("line", { x1: left, y1: top + ph, x2: left + pw, y2: top + ph, class: "axis" }));
  for (const frac of [0, 0.5, 1]) {
    const y = top + ph - frac * ph;
    const v = Math.round(frac * max);
    if (frac > 0) svg.appendChild(s("line", { x1: left, y1: y, x2: left + pw, y2: y, class: "grid" }));
    svg.appendChild(s("text", { x: left - 6, y: y + 4, "text-anchor": "end", class: "tick" }, fmtInt(v)));
  }
  // Bars.
  for (const [t, c] of pts) {
    const x = xOf(t);
    const bh = (c / max) * ph;
    const rect = s("rect", { x: x.toFixed(2), y: (top + ph - bh).toFixed(2), width: barW.toFixed(2), height: bh.toFixed(2), fill: color });
    rect.appendChild(s("title", null, `${iso(t)} UTC: ${fmtInt(c)}`));
    svg.appendChild(rect);
  }
  // Time ticks: at most 5, labelled with the hour (and the day when the
  // plot spans more than a day); the full range is written underneath.
  const ticks = Math.min(5, spanHours + 1);
  const multiDay = t1 - t0 > 24 * HOUR;
  for (let i = 0; i < ticks; i++) {
    const t = t0 + ((t1 - t0) * i) / Math.max(1, ticks - 1);
    const x = xOf(t);
    svg.appendChild(s("line", { x1: x, y1: top + ph, x2: x, y2: top + ph + 4, class: "axis" }));
    const anchor = i === 0 ? "start" : i === ticks - 1 ? "end" : "middle";
    svg.appendChild(s("text", { x, y: top + ph + 16, "text-anchor": anchor, class: "tick" }, label(t, multiDay)));
  }
  svg.appendChild(
    s("text", { x: left, y: H - 3, "text-anchor": "start", class: "tick muted" }, `${iso(t0)} to ${iso(t1)} UTC, co-actions per hour`),
  );
  return svg;
}
