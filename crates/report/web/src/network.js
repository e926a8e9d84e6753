// The interactive network: sigma.js (WebGL) over a graphology graph, a search
// box, and the side panel that shows an account's or a link's evidence.

import Graph from "graphology";
import Sigma from "sigma";
import { EdgeLineProgram, NodePointProgram } from "sigma/rendering";

import { LOOKALIKE_COLOR, MUTED_COLOR } from "./colors.js";
import { evidenceCard } from "./evidence.js";
import { layoutGroups } from "./layout.js";
import { h, replace, fmtInt, fmtNum, fmtP, paged, whyLine } from "./util.js";

const BASE_EDGE_COLOR = "rgba(110, 120, 140, 0.22)";

function pairKey(a, b) {
  return a < b ? a + "-" + b : b + "-" + a;
}

/** Builds the graph: nodes with positions, one graph edge per account pair. */
export function buildGraph(ctx) {
  const { data } = ctx;
  const n = data.nodes.length;

  // Groups for the layout: the clusters in report order, then accounts whose
  // cluster is not among them.
  const groupOf = new Int32Array(n).fill(-1);
  const groups = data.clusters.map(() => []);
  data.clusters.forEach((c, rank) => {
    for (const m of c.members) {
      if (m >= 0 && m < n && groupOf[m] === -1) {
        groupOf[m] = rank;
        groups[rank].push(m);
      }
    }
  });
  const rest = [];
  for (let i = 0; i < n; i++) {
    if (groupOf[i] !== -1) continue;
    const rank = ctx.clusterRank.get(data.nodes[i].cluster);
    if (rank !== undefined) {
      groupOf[i] = rank;
      groups[rank].push(i);
    } else {
      rest.push(i);
    }
  }
  groups.push(rest);
  const { x, y } = layoutGroups(n, groups);

  let minScore = Infinity;
  let maxScore = -Infinity;
  for (const node of data.nodes) {
    if (Number.isFinite(node.score)) {
      minScore = Math.min(minScore, node.score);
      maxScore = Math.max(maxScore, node.score);
    }
  }
  const big = n > 2000;
  const [sMin, sMax] = big ? [1.6, 5] : [3.5, 10];
  const span = maxScore > minScore ? maxScore - minScore : 1;

  const graph = new Graph({ type: "undirected", multi: false, allowSelfLoops: false });
  for (let i = 0; i < n; i++) {
    const node = data.nodes[i];
    const rel = Number.isFinite(node.score) ? (node.score - minScore) / span : 0;
    graph.addNode(String(i), {
      x: x[i],
      y: y[i],
      size: sMin + rel * (sMax - sMin),
      color: ctx.nodeColor[i],
      label: node.username || node.account_id,
    });
  }
  ctx.nodeEdgeRows = Array.from({ length: n }, () => []);
  for (let e = 0; e < data.edgeCount; e++) {
    const a = data.edgeSource(e);
    const b = data.edgeTarget(e);
    if (a === b || a < 0 || b < 0 || a >= n || b >= n) continue;
    ctx.nodeEdgeRows[a].push(e);
    ctx.nodeEdgeRows[b].push(e);
    const key = pairKey(a, b);
    const look = data.edgeHasLookalike(e);
    if (graph.hasEdge(key)) {
      const attrs = graph.getEdgeAttributes(key);
      attrs.rows.push(e);
      if (look && !attrs.lookalike) {
        attrs.lookalike = true;
        attrs.color = LOOKALIKE_COLOR;
      }
      attrs.size = Math.min(4, attrs.size + 0.3);
    } else {
      graph.addEdgeWithKey(key, String(a), String(b), {
        rows: [e],
        lookalike: look,
        size: 1,
        color: look ? LOOKALIKE_COLOR : BASE_EDGE_COLOR,
      });
    }
  }
  return graph;
}

export function createNetwork(ctx, graph, container, panel) {
  const state = { nodes: null, edges: null, focus: null, lookalikeOnly: false };

  const nodeReducer = (key, attrs) => {
    if (!state.nodes) return attrs;
    if (state.nodes.has(key)) {
      const res = { ...attrs, zIndex: 1 };
      if (key === state.focus) {
        res.highlighted = true;
        res.forceLabel = true;
        res.zIndex = 2;
      } else if (state.nodes.size <= 40) {
        res.forceLabel = true;
      }
      return res;
    }
    return { ...attrs, color: MUTED_COLOR, label: null, zIndex: 0 };
  };
  const edgeReducer = (key, attrs) => {
    if (state.edges) {
      if (!state.edges.has(key)) return { ...attrs, hidden: true };
      const color = attrs.lookalike ? LOOKALIKE_COLOR : ctx.signalColor.get(ctx.data.edgeSignal(attrs.rows[0])) || "#555";
      return { ...attrs, color, size: attrs.size + 0.8, zIndex: 1, type: "line" };
    }
    if (state.lookalikeOnly && !attrs.lookalike) return { ...attrs, hidden: true };
    return attrs;
  };

  // Large networks draw nodes as points and edges as 1-pixel lines: both are
  // plain (non-instanced) draws, several times cheaper than sigma's default
  // discs and quads, which matters most without a GPU (software WebGL).
  // Highlighted edges switch back to quads so they stand out.
  const pointNodes = graph.order > 1000;
  const thinEdges = graph.size > 3000;
  const renderer = new Sigma(graph, container, {
    enableEdgeEvents: true,
    nodeProgramClasses: { point: NodePointProgram },
    edgeProgramClasses: { thin: EdgeLineProgram },
    defaultNodeType: pointNodes ? "point" : "circle",
    defaultEdgeType: thinEdges ? "thin" : "line",
    hideEdgesOnMove: graph.size > 200000,
    labelFont: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    labelSize: 12,
    labelRenderedSizeThreshold: graph.order > 2000 ? 5 : 6,
    labelDensity: 0.6,
    zIndex: true,
    enableCameraRotation: false,
    minCameraRatio: 0.002,
    maxCameraRatio: 4,
    stagePadding: 20,
    nodeReducer,
    edgeReducer,
  });

  const camera = renderer.getCamera();
  // Selections rebuild the side panel at once and restyle the graph just
  // after the next frame, so the panel shows without waiting for the
  // network's (possibly slow) re-render.
  let pending = 0;
  const refresh = () => {
    const ticket = ++pending;
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (ticket === pending) renderer.refresh();
      }, 0),
    );
  };

  // Camera helpers -----------------------------------------------------------
  const zoomToNode = (i, ratio) => {
    const d = renderer.getNodeDisplayData(String(i));
    if (!d) return Promise.resolve();
    const target = ratio ?? Math.min(camera.ratio, graph.order > 2000 ? 0.06 : 0.35);
    return camera.animate({ x: d.x, y: d.y, ratio: target }, { duration: 400 });
  };
  const zoomToEdge = (key, ratio) => {
    const [a, b] = graph.extremities(key).map((k) => renderer.getNodeDisplayData(k));
    return camera.animate({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, ratio }, { duration: 300 });
  };
  const zoomToNodes = (keys) => {
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (const k of keys) {
      const d = renderer.getNodeDisplayData(k);
      if (!d) continue;
      x0 = Math.min(x0, d.x);
      x1 = Math.max(x1, d.x);
      y0 = Math.min(y0, d.y);
      y1 = Math.max(y1, d.y);
    }
    if (!Number.isFinite(x0)) return Promise.resolve();
    // Display coordinates span [0, 1] for the whole graph at ratio 1.
    const ratio = Math.min(1, Math.max(0.02, Math.max(x1 - x0, y1 - y0) * 1.4));
    return camera.animate({ x: (x0 + x1) / 2, y: (y0 + y1) / 2, ratio }, { duration: 450 });
  };

  // Side panel ---------------------------------------------------------------
  const defaultPanel = () => {
    const clusters = ctx.data.clusters.length;
    return [
      h("h3", null, "Network"),
      h(
        "p",
        null,
        `${fmtInt(graph.order)} accounts in ${fmtInt(clusters)} cluster${clusters === 1 ? "" : "s"}, ` +
          `${fmtInt(ctx.data.edgeCount)} significant links between ${fmtInt(graph.size)} pairs.`,
      ),
      h(
        "p",
        { class: "muted" },
        "Click an account or a link to see its evidence. Scroll to zoom, drag to pan, " +
          "or find an account with the search box.",
      ),
      legend(),
    ];
  };
  const legend = () => {
    const items = [];
    for (const [name, color] of ctx.signalColor) {
      items.push(h("li", null, h("span", { class: "swatch line", style: { background: color } }), name));
    }
    items.push(
      h("li", null, h("span", { class: "swatch line", style: { background: LOOKALIKE_COLOR } }), "link with lookalike-domain evidence"),
    );
    return h("div", { class: "legend" }, h("h4", null, "Links of a selected account, by signal"), h("ul", null, items));
  };

  const clearButton = () => h("button", { type: "button", class: "clear", onclick: () => clear() }, "Clear selection ✕");

  const edgeRowView = (e, from, open) => {
    const row = ctx.data.edge(e);
    const other = from === null ? null : row.source === from ? row.target : row.source;
    const otherNode = other === null ? null : ctx.data.nodes[other];
    const head = h(
      "summary",
      null,
      otherNode
        ? h(
            "button",
            {
              class: "link user",
              type: "button",
              onclick: (ev) => {
                ev.preventDefault();
                selectNode(other, { focus: true });
              },
            },
            "@" + (otherNode.username || otherNode.account_id),
          )
        : null,
      h("span", { class: "badge sig", style: { borderColor: ctx.signalColor.get(row.signal) } }, row.signal),
      h("span", { class: "muted" }, ` ${fmtInt(row.weight)} co-action${row.weight === 1 ? "" : "s"} · p = ${fmtP(row.p_value)}`),
      row.evidence.some((x) => x.lookalike) ? h("span", { class: "badge lookalike" }, "lookalike") : null,
    );
    const body = h("div", { class: "ev-list" });
    for (const ev of row.evidence) body.appendChild(evidenceCard(ctx, ev));
    if (row.evidence.length === 0) body.appendChild(h("p", { class: "muted" }, "No evidence recorded for this link."));
    return h("details", { class: "edge-row", open }, head, body);
  };

  const showNodePanel = (i) => {
    const node = ctx.data.nodes[i];
    const rank = ctx.clusterRank.get(node.cluster);
    const rows = ctx.nodeEdgeRows[i].slice();
    const d = ctx.data;
    rows.sort((a, b) => (d.edgePValue(a) ?? 1) - (d.edgePValue(b) ?? 1) || d.edgeWeight(b) - d.edgeWeight(a) || a - b);
    const list = h("div", { class: "edge-list" });
    const more = paged(list, rows, (e, k) => edgeRowView(e, i, k < 5), 20, 50);
    replace(
      panel,
      h(
        "div",
        { class: "panel-head" },
        h("span", { class: "swatch", style: { background: ctx.nodeColor[i] } }),
        h("h3", null, "@" + (node.username || node.account_id)),
        clearButton(),
      ),
      h(
        "dl",
        { class: "facts" },
        h("dt", null, "Account id"),
        h("dd", null, h("code", null, node.account_id)),
        h("dt", null, "Cluster"),
        h(
          "dd",
          null,
          rank !== undefined
            ? h("button", { class: "link", type: "button", onclick: () => ctx.showCluster(rank) }, `#${node.cluster}`)
            : `#${node.cluster}`,
        ),
        h("dt", null, "Score"),
        h("dd", null, fmtNum(node.score)),
        h("dt", null, "Signals"),
        h("dd", null, node.signals.map((sg) => h("span", { class: "badge sig", style: { borderColor: ctx.signalColor.get(sg) } }, sg))),
        node.why ? [h("dt", null, "Why flagged"), h("dd", { class: "why" }, node.why)] : null,
      ),
      h("h4", null, `Links (${fmtInt(rows.length)}), strongest first`),
      list,
      more,
    );
    panel.scrollTop = 0;
  };

  const showPairPanel = (key) => {
    const attrs = graph.getEdgeAttributes(key);
    const [a, b] = graph.extremities(key).map(Number);
    const na = ctx.data.nodes[a];
    const nb = ctx.data.nodes[b];
    const userButton = (i, node) =>
      h("button", { class: "link user", type: "button", onclick: () => selectNode(i, { focus: true }) }, "@" + (node.username || node.account_id));
    const list = h("div", { class: "edge-list" });
    for (const e of attrs.rows) list.appendChild(edgeRowView(e, null, true));
    replace(
      panel,
      h("div", { class: "panel-head" }, h("h3", null, "Link"), clearButton()),
      h("p", { class: "pair" }, userButton(a, na), " ↔ ", userButton(b, nb)),
      h("h4", null, `Signals (${attrs.rows.length})`),
      list,
    );
    panel.scrollTop = 0;
  };

  // Selection ----------------------------------------------------------------
  function selectNode(i, opts = {}) {
    const key = String(i);
    if (!graph.hasNode(key)) return;
    state.focus = key;
    state.nodes = new Set([key, ...graph.neighbors(key)]);
    state.edges = new Set(graph.edges(key));
    showNodePanel(i);
    refresh();
    ctx.onSelect({ kind: "node", index: i });
    if (opts.focus) {
      container.scrollIntoView({ block: "nearest", behavior: "auto" });
      zoomToNode(i);
    }
  }
  function selectPair(key) {
    state.focus = null;
    state.nodes = new Set(graph.extremities(key));
    state.edges = new Set([key]);
    showPairPanel(key);
    refresh();
    ctx.onSelect({ kind: "edge", key });
  }
  function selectCluster(rank) {
    const c = ctx.data.clusters[rank];
    const keys = new Set(c.members.map(String));
    const edges = new Set();
    for (const k of keys) {
      if (!graph.hasNode(k)) continue;
      graph.forEachEdge(k, (e, _attrs, s, t) => {
        if (keys.has(s) && keys.has(t)) edges.add(e);
      });
    }
    state.focus = null;
    state.nodes = keys;
    state.edges = edges;
    replace(
      panel,
      h(
        "div",
        { class: "panel-head" },
        h("span", { class: "swatch", style: { background: ctx.clusterColor(rank) } }),
        h("h3", null, `Cluster #${c.cluster_id}`),
        clearButton(),
      ),
      h("p", null, `${fmtInt(c.size)} accounts, ${fmtInt(edges.size)} linked pairs shown. Click a member for its evidence.`),
      whyLine(c.why),
      h("button", { class: "link", type: "button", onclick: () => ctx.showCluster(rank) }, "Cluster details below ↓"),
      legend(),
    );
    refresh();
    container.scrollIntoView({ block: "nearest" });
    zoomToNodes(keys);
  }
  function clear() {
    state.focus = null;
    state.nodes = null;
    state.edges = null;
    replace(panel, defaultPanel());
    refresh();
    ctx.onSelect({ kind: "none" });
  }

  // Events -------------------------------------------------------------------
  renderer.on("clickNode", ({ node }) => selectNode(Number(node)));
  renderer.on("clickEdge", ({ edge }) => selectPair(edge));
  renderer.on("clickStage", () => {
    if (state.nodes) clear();
  });
  renderer.on("enterNode", () => container.classList.add("pointer"));
  renderer.on("leaveNode", () => container.classList.remove("pointer"));
  renderer.on("enterEdge", () => container.classList.add("pointer"));
  renderer.on("leaveEdge", () => container.classList.remove("pointer"));

  replace(panel, defaultPanel());

  return {
    renderer,
    graph,
    selectNode,
    selectPair,
    selectCluster,
    clear,
    zoomToNode,
    zoomToEdge,
    resetView: () => camera.animate({ x: 0.5, y: 0.5, ratio: 1, angle: 0 }, { duration: 300 }),
    setLookalikeOnly(on) {
      state.lookalikeOnly = on;
      refresh();
    },
    /** Resolves once the graph has been redrawn with the current selection and camera. */
    settled: () =>
      new Promise((resolve) => {
        const wait = () => {
          if (camera.isAnimated()) return requestAnimationFrame(wait);
          // Let a deferred restyle run, then wait for the frame that draws it.
          setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => resolve())), 0);
        };
        requestAnimationFrame(wait);
      }),
  };
}

/** The search box: finds accounts by username or id, best matches first. */
export function searchBox(ctx, onPick) {
  const nodes = ctx.data.nodes;
  const names = nodes.map((n) => (n.username || "").toLowerCase());
  const ids = nodes.map((n) => (n.account_id || "").toLowerCase());
  const input = h("input", {
    type: "search",
    placeholder: "Find an account (username or id)…",
    "aria-label": "Find an account by username or id",
    autocomplete: "off",
    spellcheck: "false",
  });
  const list = h("ul", { class: "suggest", role: "listbox", hidden: true });
  let matches = [];
  let active = 0;

  const find = (q) => {
    q = q.trim().toLowerCase().replace(/^@/, "");
    if (!q) return [];
    const exact = [];
    const prefix = [];
    const inner = [];
    for (let i = 0; i < nodes.length; i++) {
      const u = names[i];
      const id = ids[i];
      if (u === q || id === q) exact.push(i);
      else if (u.startsWith(q) || id.startsWith(q)) prefix.push(i);
      else if (inner.length < 50 && (u.includes(q) || id.includes(q))) inner.push(i);
      if (exact.length >= 12) break;
    }
    return exact.concat(prefix, inner).slice(0, 12);
  };
  const pick = (i) => {
    list.hidden = true;
    input.value = nodes[i].username ? "@" + nodes[i].username : nodes[i].account_id;
    onPick(i);
  };
  const draw = () => {
    replace(
      list,
      matches.map((i, k) =>
        h(
          "li",
          {
            role: "option",
            class: k === active ? "active" : null,
            onmousedown: (ev) => {
              ev.preventDefault();
              pick(i);
            },
          },
          h("span", { class: "swatch", style: { background: ctx.nodeColor[i] } }),
          h("b", null, "@" + nodes[i].username),
          " ",
          h("span", { class: "muted" }, nodes[i].account_id),
        ),
      ),
    );
    if (matches.length === 0 && input.value.trim()) list.appendChild(h("li", { class: "muted" }, "No account matches."));
    list.hidden = !input.value.trim();
  };
  input.addEventListener("input", () => {
    matches = find(input.value);
    active = 0;
    draw();
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (matches.length) {
        active = (active + (ev.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
        draw();
      }
      ev.preventDefault();
    } else if (ev.key === "Enter") {
      if (matches.length === 0) matches = find(input.value);
      if (matches.length) pick(matches[active] ?? matches[0]);
      ev.preventDefault();
    } else if (ev.key === "Escape") {
      list.hidden = true;
    }
  });
  input.addEventListener("blur", () => {
    list.hidden = true;
  });
  return h("div", { class: "search" }, input, list);
}
