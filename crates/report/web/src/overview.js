// The overview (record accounting, signals, parameters) and the table of
// lookalike domains.

import { h, table, fmtInt, fmtNum, fmtPct } from "./util.js";

function card(label, value, note) {
  return h("div", { class: "card" }, h("div", { class: "card-value" }, value), h("div", { class: "card-label" }, label), note ? h("div", { class: "card-note" }, note) : null);
}

export function overview(data) {
  const t = data.totals;
  let tested = 0;
  let significant = 0;
  for (const sg of data.signals) {
    tested += sg.tested;
    significant += sg.significant;
  }
  const cards = h(
    "div",
    { class: "cards" },
    card("Records read", fmtInt(t.records), `${fmtInt(data.inputs.length)} input${data.inputs.length === 1 ? "" : "s"}`),
    card("Records skipped", fmtInt(t.skipped), t.records + t.skipped > 0 ? fmtPct(t.skipped / (t.records + t.skipped)) + " of all" : null),
    card("Events", fmtInt(t.events)),
    card("Accounts", fmtInt(t.accounts)),
    card("Clusters", fmtInt(t.clusters)),
    card("Flagged accounts", fmtInt(t.flagged_accounts), t.accounts > 0 ? fmtPct(t.flagged_accounts / t.accounts) + " of accounts" : null),
    card("Significant links", fmtInt(significant), `of ${fmtInt(tested)} pairs tested`),
  );

  const inputs = table(
    ["Input", "Format", { label: "Records", cls: "num" }, { label: "Skipped", cls: "num" }],
    data.inputs
      .map((i) => [h("code", null, i.path), i.format, { v: fmtInt(i.records), cls: "num" }, { v: fmtInt(i.skipped), cls: "num" }])
      .concat([{ attrs: { class: "total" }, cells: ["Total", "", { v: fmtInt(t.records), cls: "num" }, { v: fmtInt(t.skipped), cls: "num" }] }]),
  );
  const signals = table(
    ["Signal", { label: "Pairs tested", cls: "num" }, { label: "Significant", cls: "num" }, { label: "Rate", cls: "num" }],
    data.signals.map((sg) => [
      sg.signal,
      { v: fmtInt(sg.tested), cls: "num" },
      { v: fmtInt(sg.significant), cls: "num" },
      { v: sg.tested ? fmtPct(sg.significant / sg.tested) : "–", cls: "num" },
    ]),
  );
  const params = table(
    ["Parameter", "Value", "Why"],
    data.parameters.map((p) => [h("code", null, p.name), h("code", null, p.value), { v: p.why, cls: "why" }]),
    { cls: "params" },
  );
  return [
    cards,
    h(
      "div",
      { class: "two" },
      h("div", null, h("h3", null, "Inputs"), data.inputs.length ? inputs : h("p", { class: "muted" }, "No inputs recorded.")),
      h("div", null, h("h3", null, "Signals"), data.signals.length ? signals : h("p", { class: "muted" }, "No signals recorded.")),
    ),
    h("details", { class: "params-box", open: data.parameters.length <= 12 }, h("summary", null, h("h3", null, `Parameters (${data.parameters.length})`)), params),
  ];
}

export function lookalikeTable(ctx) {
  const rows = ctx.data.lookalikes.map((l) => [
    h("mark", { class: "lookalike" }, l.domain),
    l.imitates,
    l.rule,
    { v: fmtNum(l.score), cls: "num" },
    { v: fmtInt(l.posts), cls: "num" },
    l.clusters.map((cid) => {
      const rank = ctx.clusterRank.get(cid);
      return rank === undefined
        ? h("span", { class: "muted" }, `#${cid} `)
        : h("button", { class: "link", type: "button", onclick: () => ctx.showCluster(rank) }, `#${cid}`);
    }),
  ]);
  if (rows.length === 0) return h("p", { class: "muted" }, "No lookalike domain was seen in the data.");
  return table(["Domain", "Imitates", "Rule", { label: "Score", cls: "num" }, { label: "Posts", cls: "num" }, "Clusters"], rows, { cls: "lookalikes" });
}
