// Small DOM and formatting helpers. Every piece of data reaches the page
// through text nodes or attributes set here, never through innerHTML: the
// report shows posts written by strangers.

const SVG_NS = "http://www.w3.org/2000/svg";

function append(el, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(el, c);
  } else if (child instanceof Node) {
    el.appendChild(child);
  } else {
    el.appendChild(document.createTextNode(String(child)));
  }
}

function setAttrs(el, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "style" && typeof v === "object") Object.assign(el.style, v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
}

/** Creates an HTML element: h("td", {class: "num"}, "12"). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Creates an SVG element. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  if (attrs) for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

/**
 * Why the scan flagged an account or a cluster (the `why` column of
 * accounts.csv and clusters.csv), as one labelled line; null when empty.
 */
export function whyLine(text) {
  return text ? h("p", { class: "why" }, h("span", { class: "why-label" }, "Why flagged: "), text) : null;
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.textContent = "";
  append(el, children);
  return el;
}

/** 1234567 → "1,234,567" (fixed format, whatever the locale). */
export function fmtInt(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  const neg = n < 0;
  const digits = String(Math.round(Math.abs(n)));
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits[i];
  }
  return neg ? "-" + out : out;
}

/** A score or share with a sensible number of digits. */
export function fmtNum(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "-∞";
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential(1);
  return String(Number(x.toPrecision(digits)));
}

/** A p-value: 3.2e-12, 0.0041. */
export function fmtP(p) {
  if (p === null || p === undefined || Number.isNaN(p)) return "–";
  if (p === 0) return "0";
  if (p < 1e-3) return p.toExponential(1);
  return String(Number(p.toPrecision(2)));
}

export function fmtPct(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  return (x * 100).toFixed(x >= 0.1 ? 0 : 1) + "%";
}

/** Seconds between two actions: "0 s", "42 s", "3 min 5 s", "2 h 10 min". */
export function fmtDt(dt) {
  if (dt === null || dt === undefined || Number.isNaN(dt)) return "–";
  const a = Math.abs(dt);
  if (a < 1) return a === 0 ? "0 s" : a.toFixed(1) + " s";
  if (a < 60) return Math.round(a) + " s";
  if (a < 3600) {
    const m = Math.floor(a / 60);
    const r = Math.round(a - m * 60);
    return r ? `${m} min ${r} s` : `${m} min`;
  }
  const hrs = Math.floor(a / 3600);
  const m = Math.round((a - hrs * 3600) / 60);
  return m ? `${hrs} h ${m} min` : `${hrs} h`;
}

/** "2024-03-01T12:34:56Z" → "2024-03-01 12:34:56Z". */
export function fmtTime(t) {
  if (!t) return "–";
  return t.replace("T", " ");
}

/** The host part of a URL-like target, lowercased, or null. */
export function hostOf(target) {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^/?#@\s]*@)?([^/?#:\s]+)/i.exec(target || "");
  if (!m) return null;
  const host = m[1].toLowerCase();
  return host.includes(".") ? host : null;
}

/** Splits a URL-like target around its host: [before, host, after], or null. */
export function splitHost(target) {
  const m = /^((?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^/?#@\s]*@)?)([^/?#:\s]+)(.*)$/is.exec(target || "");
  if (!m || !m[2].includes(".")) return null;
  return [m[1], m[2], m[3]];
}

/** A table with a header row; `rows` are arrays of cells (strings, nodes, or {v, cls}). */
export function table(headers, rows, opts = {}) {
  const thead = h(
    "thead",
    null,
    h(
      "tr",
      null,
      headers.map((hd) => (typeof hd === "string" ? h("th", null, hd) : h("th", { class: hd.cls }, hd.label))),
    ),
  );
  const tbody = h("tbody");
  for (const row of rows) tbody.appendChild(tableRow(row));
  return h("table", { class: "grid " + (opts.cls || "") }, thead, tbody);
}

export function tableRow(row) {
  const tr = h("tr", row.attrs || null);
  for (const cell of row.cells || row) {
    if (cell && typeof cell === "object" && !(cell instanceof Node) && !Array.isArray(cell)) {
      tr.appendChild(h("td", { class: cell.cls, title: cell.title }, cell.v));
    } else {
      tr.appendChild(h("td", null, cell));
    }
  }
  return tr;
}

/**
 * Shows the first `first` items now and a button that reveals the rest in
 * pages, so a cluster of 5,000 members doesn't build 5,000 rows up front.
 */
export function paged(container, items, render, first = 50, page = 200) {
  let shown = 0;
  const more = h("button", { class: "more", type: "button" });
  const showMore = (n) => {
    const end = Math.min(items.length, shown + n);
    const frag = document.createDocumentFragment();
    for (let i = shown; i < end; i++) frag.appendChild(render(items[i], i));
    container.appendChild(frag);
    shown = end;
    if (shown < items.length) {
      more.textContent = `Show ${fmtInt(Math.min(page, items.length - shown))} more (of ${fmtInt(items.length - shown)} left)`;
    } else {
      more.remove();
    }
  };
  more.addEventListener("click", () => showMore(page));
  showMore(first);
  return shown < items.length ? more : null;
}
