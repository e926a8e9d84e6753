// A deterministic layout that costs O(nodes): each cluster is a disc in
// which its members sit on a sunflower (phyllotaxis) spiral, strongest member
// in the middle; the discs are packed in rows, largest first. No randomness,
// no iteration, so the same report always draws the same picture, and 10,000
// nodes take a few milliseconds.

const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

/**
 * @param {number} nodeCount
 * @param {number[][]} groups node indexes of each group, in display order
 * @returns {{x: Float64Array, y: Float64Array}}
 */
export function layoutGroups(nodeCount, groups) {
  const x = new Float64Array(nodeCount);
  const y = new Float64Array(nodeCount);
  const gap = 2.5;
  const discs = groups
    .map((members, g) => ({ g, members, r: Math.sqrt(members.length) + 0.8 }))
    .filter((d) => d.members.length > 0);
  // Largest first; ties keep the report's order.
  discs.sort((a, b) => b.members.length - a.members.length || a.g - b.g);

  let area = 0;
  let widest = 0;
  for (const d of discs) {
    area += (2 * d.r + gap) ** 2;
    widest = Math.max(widest, 2 * d.r + gap);
  }
  const rowWidth = Math.max(widest, Math.sqrt(area) * 1.15);

  let cx = 0;
  let cy = 0;
  let rowHeight = 0;
  for (const d of discs) {
    const w = 2 * d.r + gap;
    if (cx > 0 && cx + w > rowWidth) {
      cy += rowHeight;
      cx = 0;
      rowHeight = 0;
    }
    const ox = cx + w / 2;
    // Sigma's y axis points up: rows go downwards.
    const oy = -(cy + w / 2);
    d.members.forEach((node, j) => {
      const rad = Math.sqrt(j + 0.5);
      const a = j * GOLDEN_ANGLE;
      x[node] = ox + rad * Math.cos(a);
      y[node] = oy + rad * Math.sin(a);
    });
    cx += w;
    rowHeight = Math.max(rowHeight, w);
  }
  return { x, y };
}
