// Reads the report's data from <script type="application/json" id="swarmscan-data">.
//
// The Rust side writes a compact form (format "swarmscan-report/1"): every
// repeated string (post texts, usernames, targets, signal names, times)
// lives once in `strings`; posts, nodes, edges and evidence are arrays of
// indexes into it. See crates/report/src/html.rs for the writer.

export const FORMAT = "swarmscan-report/1";

export function readData() {
  const el = document.getElementById("swarmscan-data");
  if (!el) throw new Error("swarmscan: the report has no data block");
  const raw = JSON.parse(el.textContent);
  if (raw.format !== FORMAT) throw new Error(`swarmscan: unknown report data format ${raw.format}`);
  return decode(raw);
}

function decode(raw) {
  const S = raw.strings;
  const str = (i) => (i === null || i === undefined ? "" : S[i]);

  const posts = raw.posts;
  const post = (i) => {
    const p = posts[i];
    return { post_id: S[p[0]], account_id: S[p[1]], username: S[p[2]], time: S[p[3]], text: S[p[4]] };
  };
  const evidence = (e) => ({ target: S[e[0]], a: post(e[1]), b: post(e[2]), dt_s: e[3], lookalike: e[4] === 1 });

  const nodes = raw.nodes.map((n, i) => ({
    index: i,
    account_id: S[n[0]],
    username: S[n[1]],
    cluster: n[2],
    score: n[3],
    signals: n[4].map(str),
    // Which test flagged it, with its numbers (accounts.csv's `why`).
    why: str(n[5]),
  }));

  // Edges stay compact; `edge(i)` expands one when a panel needs it.
  const edgesRaw = raw.edges;
  const edgeCount = edgesRaw.length;
  const edge = (i) => {
    const e = edgesRaw[i];
    return {
      index: i,
      source: e[0],
      target: e[1],
      signal: S[e[2]],
      weight: e[3],
      p_value: e[4],
      evidence: e[5].map(evidence),
    };
  };
  const edgeSource = (i) => edgesRaw[i][0];
  const edgeTarget = (i) => edgesRaw[i][1];
  const edgeSignal = (i) => S[edgesRaw[i][2]];
  const edgeWeight = (i) => edgesRaw[i][3];
  const edgePValue = (i) => edgesRaw[i][4];
  const edgeHasLookalike = (i) => edgesRaw[i][5].some((e) => e[4] === 1);

  const clusters = raw.clusters.map((c, rank) => ({
    rank,
    cluster_id: c.id,
    size: c.size,
    score: c.score,
    signals: c.signals,
    members: c.members,
    top_targets: c.top_targets,
    domains: c.domains.map((d) => ({ domain: d[0], count: d[1], imitates: d[2] })),
    timeline: c.timeline,
    evidence: c.evidence.map(evidence),
    // How its members were found (clusters.csv's `why`).
    why: c.why || "",
  }));

  return {
    title: raw.title,
    version: raw.version,
    generated: raw.generated,
    inputs: raw.inputs,
    totals: raw.totals,
    parameters: raw.parameters,
    signals: raw.signals,
    lookalikes: raw.lookalikes,
    nodes,
    clusters,
    edgeCount,
    edge,
    edgeSource,
    edgeTarget,
    edgeSignal,
    edgeWeight,
    edgePValue,
    edgeHasLookalike,
  };
}
