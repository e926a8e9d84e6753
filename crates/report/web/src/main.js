// Entry point of the report's script: reads the data block, builds the page,
// draws the network, and exposes `window.__swarmscan` for the browser tests.

import "./report.css";

import { clusterColor, signalColors } from "./colors.js";
import { clustersSection } from "./clusters.js";
import { readData } from "./data.js";
import { lookalikeIndex } from "./evidence.js";
import { buildGraph, createNetwork, searchBox } from "./network.js";
import { overview, lookalikeTable } from "./overview.js";
import { h, fmtInt } from "./util.js";

const timings = {};
let resolveReady;
let rejectReady;
const ready = new Promise((res, rej) => {
  resolveReady = res;
  rejectReady = rej;
});
// Tests await this; a failure is reported through the page's own error
// display, so an unobserved rejection must not add a second error.
ready.catch(() => {});

const hook = {
  ready,
  timings,
  /** Milliseconds from the click event to the side panel being rebuilt. */
  panelLatencies: [],
  /** Duration of each sigma render, in ms. */
  renderDurations: [],
};
window.__swarmscan = hook;

function section(id, title, ...body) {
  return h("section", { id }, h("h2", null, title), ...body);
}

function main() {
  const t0 = performance.now();
  const data = readData();
  timings.parseMs = performance.now() - t0;

  const clusterRank = new Map();
  data.clusters.forEach((c, rank) => {
    if (!clusterRank.has(c.cluster_id)) clusterRank.set(c.cluster_id, rank);
  });
  const signalNames = [];
  for (const sg of data.signals) if (!signalNames.includes(sg.signal)) signalNames.push(sg.signal);
  for (const n of data.nodes) for (const sg of n.signals) if (!signalNames.includes(sg)) signalNames.push(sg);

  const nodeByAccount = new Map();
  data.nodes.forEach((n, i) => {
    if (!nodeByAccount.has(n.account_id)) nodeByAccount.set(n.account_id, i);
  });

  const ctx = {
    data,
    clusterRank,
    clusterColor,
    nodeColor: data.nodes.map((n) => clusterColor(clusterRank.has(n.cluster) ? clusterRank.get(n.cluster) : -1)),
    signalColor: signalColors(signalNames),
    lookalikes: lookalikeIndex(data.lookalikes),
    nodeByAccount,
    // Filled in below, once the pieces exist.
    selectNode: () => {},
    selectCluster: () => {},
    showCluster: () => {},
    onSelect: () => {},
  };

  // Page skeleton.
  const graphEl = h("div", { id: "graph", class: "graph" });
  const panelEl = h("aside", { id: "panel", class: "panel", "aria-live": "polite" });
  const toolbar = h("div", { class: "toolbar" });
  const clusterListEl = h("div", { class: "cluster-list-wrap" });
  const clusterDetailEl = h("div", { id: "cluster-detail", class: "cluster-detail" });
  const app = document.getElementById("app");
  app.append(
    h(
      "header",
      { class: "top" },
      h("div", null, h("h1", null, data.title || "swarmscan report"), h("div", { class: "muted" }, [data.version ? `swarmscan ${data.version}` : "swarmscan", data.generated ? `generated ${data.generated}` : null].filter(Boolean).join(" · "))),
      h(
        "nav",
        null,
        h("a", { href: "#overview" }, "Overview"),
        h("a", { href: "#network" }, "Network"),
        h("a", { href: "#clusters" }, "Clusters"),
        h("a", { href: "#lookalikes" }, "Lookalike domains"),
        h("a", { href: "#about" }, "About"),
      ),
    ),
    h(
      "main",
      null,
      section("overview", "Overview", overview(data)),
      section(
        "network",
        `Network: ${fmtInt(data.nodes.length)} accounts, ${fmtInt(data.edgeCount)} links`,
        h("div", { class: "net" }, h("div", { class: "graph-col" }, toolbar, graphEl), panelEl),
      ),
      section("clusters", `Clusters (${fmtInt(data.clusters.length)})`, h("div", { class: "clusters-layout" }, clusterListEl, clusterDetailEl)),
      section("lookalikes", `Lookalike domains (${fmtInt(data.lookalikes.length)})`, lookalikeTable(ctx)),
    ),
  );
  timings.domMs = performance.now() - t0;

  // Clusters.
  const clusters = clustersSection(ctx, clusterListEl, clusterDetailEl);
  ctx.showCluster = (rank) => clusters.show(rank, true);

  // Network.
  const t1 = performance.now();
  const graph = buildGraph(ctx);
  timings.graphMs = performance.now() - t1;
  if (graph.order === 0) {
    graphEl.closest(".net").classList.add("no-graph");
    panelEl.remove();
    toolbar.remove();
    graphEl.append(h("p", { class: "empty" }, "No cluster was reported: there is no network to draw."));
    timings.sigmaMs = 0;
    return { nodes: 0, edges: 0 };
  }
  const t2 = performance.now();
  let net;
  try {
    net = createNetwork(ctx, graph, graphEl, panelEl);
  } catch (err) {
    // Everything but the drawing still works: say so where the network
    // would be, and leave the rest of the page usable.
    graphEl.append(
      h("p", { class: "empty" }, "The network could not be drawn (this browser offers no usable WebGL). The tables below still work."),
    );
    console.error("swarmscan: the network could not be drawn:", err);
    timings.sigmaMs = performance.now() - t2;
    return { nodes: 0, edges: data.edgeCount, drawn: false };
  }
  timings.sigmaMs = performance.now() - t2;
  ctx.selectNode = net.selectNode;
  ctx.selectCluster = net.selectCluster;

  toolbar.append(
    searchBox(ctx, (i) => net.selectNode(i, { focus: true })),
    h("button", { type: "button", onclick: () => net.resetView() }, "Reset view"),
    h(
      "label",
      { class: "check" },
      h("input", { type: "checkbox", onchange: (ev) => net.setLookalikeOnly(ev.target.checked) }),
      " only links with lookalike domains",
    ),
  );

  // Measurements for the browser tests.
  const renderer = net.renderer;
  let renderStart = 0;
  renderer.on("beforeRender", () => {
    renderStart = performance.now();
  });
  renderer.on("afterRender", () => {
    if (hook.renderDurations.length < 10000) hook.renderDurations.push(performance.now() - renderStart);
  });
  let clickAt = null;
  graphEl.addEventListener("click", (ev) => (clickAt = ev.timeStamp), true);
  ctx.onSelect = (sel) => {
    hook.selection = sel;
    if (clickAt !== null) {
      hook.panelLatencies.push(performance.now() - clickAt);
      clickAt = null;
    }
  };

  hook.renderer = renderer;
  hook.graph = graph;
  hook.selectNode = (accountId) => {
    const i = nodeByAccount.get(accountId);
    if (i !== undefined) net.selectNode(i, { focus: false });
  };
  hook.clear = () => net.clear();
  hook.resetView = () => net.resetView().then(() => net.settled());
  hook.settled = () => net.settled();
  hook.indexOf = (accountId) => nodeByAccount.get(accountId);
  hook.accountOf = (index) => (data.nodes[index] ? data.nodes[index].account_id : null);
  hook.usernameOf = (accountId) => {
    const i = nodeByAccount.get(accountId);
    return i === undefined ? null : data.nodes[i].username;
  };
  /** Moves the camera onto an account (no selection); resolves when done. */
  hook.zoomTo = (accountId, ratio) => {
    const i = nodeByAccount.get(accountId);
    return i === undefined ? Promise.resolve(false) : net.zoomToNode(i, ratio).then(() => net.settled()).then(() => true);
  };
  /** Moves the camera onto the middle of the link between two accounts. */
  hook.zoomToLink = (accountA, accountB, ratio) => {
    const a = nodeByAccount.get(accountA);
    const b = nodeByAccount.get(accountB);
    const key = a === undefined || b === undefined ? null : graph.edge(String(a), String(b));
    return key ? net.zoomToEdge(key, ratio).then(() => net.settled()).then(() => key) : Promise.resolve(null);
  };
  /** Where the middle of a link is, in the page's viewport (CSS pixels). */
  hook.linkViewport = (key) => {
    const rect = graphEl.getBoundingClientRect();
    const [a, b] = graph.extremities(key).map((k) => renderer.graphToViewport(graph.getNodeAttributes(k)));
    return { x: rect.left + (a.x + b.x) / 2, y: rect.top + (a.y + b.y) / 2 };
  };
  /** Where an account's node is, in the page's viewport (CSS pixels). */
  hook.nodeViewport = (accountId) => {
    const i = nodeByAccount.get(accountId);
    if (i === undefined) return null;
    const rect = graphEl.getBoundingClientRect();
    const p = renderer.graphToViewport(graph.getNodeAttributes(String(i)));
    return { x: rect.left + p.x, y: rect.top + p.y };
  };
  return { nodes: graph.order, edges: data.edgeCount, pairs: graph.size, drawn: true };
}

try {
  const info = main();
  // Resolve after the next frame so the first picture has been painted.
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      timings.readyMs = performance.now();
      performance.mark("swarmscan-ready");
      resolveReady({ ...info, timings });
    }),
  );
} catch (err) {
  const app = document.getElementById("app");
  if (app) app.prepend(h("div", { class: "fatal" }, "This report could not be shown: " + (err && err.message ? err.message : String(err))));
  console.error(err);
  rejectReady(err);
}
