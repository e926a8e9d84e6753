// How a piece of evidence looks: the shared target (lookalike domains
// marked with the outlet they imitate) and the two posts, with their times.

import { h, fmtDt, fmtTime, hostOf, splitHost } from "./util.js";

/** domain → lookalike row. */
export function lookalikeIndex(lookalikes) {
  const m = new Map();
  for (const l of lookalikes) m.set(l.domain.toLowerCase(), l);
  return m;
}

/** The lookalike row whose domain is the target's host or one of its parents. */
export function findLookalike(index, target) {
  let host = hostOf(target);
  while (host) {
    const hit = index.get(host);
    if (hit) return hit;
    const dot = host.indexOf(".");
    if (dot < 0) break;
    host = host.slice(dot + 1);
    if (!host.includes(".")) break;
  }
  return null;
}

/** A target, with the host of a lookalike URL highlighted. */
export function targetView(ctx, target, lookalike) {
  const hit = findLookalike(ctx.lookalikes, target);
  const parts = lookalike || hit ? splitHost(target) : null;
  const body = parts
    ? h("span", { class: "target" }, parts[0], h("mark", { class: "lookalike" }, parts[1]), parts[2])
    : h("span", { class: "target" }, target);
  if (!lookalike && !hit) return body;
  return h(
    "span",
    { class: "target-wrap" },
    h(
      "span",
      { class: "badge lookalike", title: hit ? `rule: ${hit.rule}, score ${hit.score}` : "lookalike domain" },
      hit ? `lookalike of ${hit.imitates}` : "lookalike domain",
    ),
    " ",
    body,
  );
}

function postView(ctx, p) {
  const node = ctx.nodeByAccount.get(p.account_id);
  const user = node !== undefined
    ? h("button", { class: "link user", type: "button", onclick: () => ctx.selectNode(node, { focus: true }) }, "@" + p.username)
    : h("span", { class: "user" }, "@" + p.username);
  return h(
    "div",
    { class: "post" },
    h(
      "div",
      { class: "post-head" },
      user,
      h("time", { datetime: p.time }, fmtTime(p.time)),
      h("span", { class: "pid", title: "post id" }, "post " + p.post_id),
    ),
    p.text ? h("div", { class: "post-text" }, p.text) : null,
  );
}

/** One piece of evidence: target, then both posts and the gap between them. */
export function evidenceCard(ctx, ev) {
  return h(
    "div",
    { class: "ev" + (ev.lookalike ? " is-lookalike" : "") },
    h("div", { class: "ev-target" }, targetView(ctx, ev.target, ev.lookalike)),
    postView(ctx, ev.a),
    h("div", { class: "ev-dt" }, "↕ " + fmtDt(ev.dt_s) + " apart"),
    postView(ctx, ev.b),
  );
}
