// The clusters section: a list of all reported clusters and the details of
// the one selected (members, driving signals, activity, targets, domains,
// evidence).

import { evidenceCard, targetView } from "./evidence.js";
import { timelineSvg } from "./timeline.js";
import { h, replace, table, tableRow, fmtInt, fmtNum, fmtPct, paged, whyLine } from "./util.js";

function signalBars(ctx, signals) {
  return h(
    "div",
    { class: "bars" },
    signals.map(([name, share]) =>
      h(
        "div",
        { class: "bar-row" },
        h("span", { class: "bar-label" }, name),
        h(
          "span",
          { class: "bar-track" },
          h("span", {
            class: "bar-fill",
            style: { width: `${Math.max(0, Math.min(1, share)) * 100}%`, background: ctx.signalColor.get(name) || "#777" },
          }),
        ),
        h("span", { class: "bar-value" }, fmtPct(share)),
      ),
    ),
  );
}

function hasLookalike(c) {
  return c.domains.some((d) => d.imitates) || c.evidence.some((e) => e.lookalike);
}

/** The list of clusters; `onPick(rank)` when one is clicked. */
export function clusterList(ctx, onPick) {
  const rows = ctx.data.clusters.map((c) => ({
    attrs: { "data-rank": c.rank, tabindex: 0, class: "clickable" },
    cells: [
      h("span", { class: "swatch", style: { background: ctx.clusterColor(c.rank) } }),
      { v: `#${c.cluster_id}`, cls: "num" },
      { v: fmtInt(c.size), cls: "num" },
      { v: fmtNum(c.score), cls: "num" },
      c.signals.slice(0, 2).map(([name, share]) => h("span", { class: "badge sig", style: { borderColor: ctx.signalColor.get(name) } }, `${name} ${fmtPct(share)}`)),
      hasLookalike(c) ? h("span", { class: "badge lookalike" }, "lookalike") : "",
    ],
  }));
  const t = table(["", { label: "Cluster", cls: "num" }, { label: "Accounts", cls: "num" }, { label: "Score", cls: "num" }, "Driving signals", ""], [], {
    cls: "cluster-table",
  });
  const tbody = t.tBodies[0];
  const more = paged(tbody, rows, (r) => tableRow(r), 100, 200);
  const pick = (ev) => {
    const tr = ev.target.closest("tr[data-rank]");
    if (tr) onPick(Number(tr.dataset.rank));
  };
  tbody.addEventListener("click", pick);
  tbody.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") pick(ev);
  });
  return h("div", { class: "cluster-list" }, t, more);
}

/** Everything about one cluster. */
export function clusterDetail(ctx, c) {
  const color = ctx.clusterColor(c.rank);
  const nodes = ctx.data.nodes;

  const members = h("tbody");
  const membersMore = paged(
    members,
    c.members,
    (m) => {
      const n = nodes[m];
      if (!n) return h("tr");
      return tableRow([
        h("button", { class: "link user", type: "button", onclick: () => ctx.selectNode(m, { focus: true }) }, "@" + n.username),
        h("code", null, n.account_id),
        { v: fmtNum(n.score), cls: "num" },
        n.signals.join(", "),
      ]);
    },
    25,
    200,
  );
  const membersTable = table(["Account", "Id", { label: "Score", cls: "num" }, "Signals"], []);
  membersTable.replaceChild(members, membersTable.tBodies[0]);

  const targets = table(
    ["Target", "Signal", { label: "Count", cls: "num" }],
    c.top_targets.map(([target, signal, count]) => [targetView(ctx, target, false), signal, { v: fmtInt(count), cls: "num" }]),
  );
  const domains = table(
    ["Domain", { label: "Count", cls: "num" }, "Imitates"],
    c.domains.map((d) => ({
      attrs: d.imitates ? { class: "is-lookalike" } : null,
      cells: [
        d.imitates ? h("mark", { class: "lookalike" }, d.domain) : d.domain,
        { v: fmtInt(d.count), cls: "num" },
        d.imitates ? h("span", { class: "badge lookalike" }, d.imitates) : "",
      ],
    })),
  );

  const evList = h("div", { class: "ev-list grid-ev" });
  const evMore = paged(evList, c.evidence, (ev) => evidenceCard(ctx, ev), 12, 48);

  return h(
    "article",
    { class: "cluster", id: `cluster-${c.cluster_id}` },
    h(
      "div",
      { class: "cluster-head" },
      h("span", { class: "swatch big", style: { background: color } }),
      h("h3", null, `Cluster #${c.cluster_id}`),
      h("span", { class: "muted" }, `${fmtInt(c.size)} accounts · score ${fmtNum(c.score)}`),
      h("button", { type: "button", class: "primary", onclick: () => ctx.selectCluster(c.rank) }, "Show in network ↑"),
    ),
    whyLine(c.why),
    h(
      "div",
      { class: "two" },
      h("div", null, h("h4", null, "Driving signals (share of internal link strength)"), c.signals.length ? signalBars(ctx, c.signals) : h("p", { class: "muted" }, "None recorded.")),
      h("div", null, h("h4", null, "Activity: co-actions per hour"), timelineSvg(c.timeline, color)),
    ),
    h(
      "div",
      { class: "two" },
      h("div", null, h("h4", null, "Top shared targets"), c.top_targets.length ? targets : h("p", { class: "muted" }, "None recorded.")),
      h("div", null, h("h4", null, "Domains"), c.domains.length ? domains : h("p", { class: "muted" }, "No URLs shared.")),
    ),
    h("h4", null, `Members (${fmtInt(c.members.length)}), strongest first`),
    h("div", { class: "scroll-x" }, membersTable),
    membersMore,
    h("h4", null, `Evidence (${fmtInt(c.evidence.length)}), best first`),
    c.evidence.length ? evList : h("p", { class: "muted" }, "None recorded."),
    evMore,
  );
}

/** Wires the list and the detail pane; returns `show(rank)`. */
export function clustersSection(ctx, listEl, detailEl) {
  let current = -1;
  const show = (rank, scroll) => {
    const c = ctx.data.clusters[rank];
    if (!c) return;
    current = rank;
    replace(detailEl, clusterDetail(ctx, c));
    for (const tr of listEl.querySelectorAll("tr.selected")) tr.classList.remove("selected");
    const tr = listEl.querySelector(`tr[data-rank="${rank}"]`);
    if (tr) tr.classList.add("selected");
    if (scroll) detailEl.scrollIntoView({ block: "start", behavior: "auto" });
  };
  replace(listEl, clusterList(ctx, (rank) => show(rank, false)));
  if (ctx.data.clusters.length) show(0, false);
  else replace(detailEl, h("p", { class: "muted" }, "No cluster was reported."));
  return { show, current: () => current };
}
