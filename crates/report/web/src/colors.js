// Colours: one per cluster (by its rank in the report), one per signal.

// A qualitative palette that stays readable on white.
const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#b07aa1",
  "#76b7b2",
  "#edc948",
  "#9c755f",
  "#ff9da7",
  "#2f6f9f",
  "#8cd17d",
  "#d37295",
  "#a0cbe8",
  "#86bcb6",
  "#b6992d",
  "#499894",
  "#d4a6c8",
];

function hslToHex(h, s, l) {
  const k = (n) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  const hex = (x) =>
    Math.round(x * 255)
      .toString(16)
      .padStart(2, "0");
  return "#" + hex(f(0)) + hex(f(8)) + hex(f(4));
}

/** The colour of the cluster ranked `rank` (0 = strongest). */
export function clusterColor(rank) {
  if (rank < 0) return "#9aa3ad";
  if (rank < PALETTE.length) return PALETTE[rank];
  // Walk the hue circle by the golden angle, alternating lightness, so
  // neighbours in rank rarely look alike.
  const hue = (rank * 137.508) % 360;
  const light = [0.45, 0.58, 0.36][rank % 3];
  return hslToHex(hue, 0.55, light);
}

// No reds: red is kept for lookalike-domain evidence.
const SIGNAL_PALETTE = ["#3b6fb6", "#2a9d8f", "#8e5ea2", "#e09f3e", "#6a994e", "#7f5539", "#457b9d", "#b5838d"];

/** Colours for the signals, in the order the report lists them. */
export function signalColors(names) {
  const out = new Map();
  names.forEach((n, i) => out.set(n, SIGNAL_PALETTE[i % SIGNAL_PALETTE.length]));
  return out;
}

/** Edges with lookalike-domain evidence. */
export const LOOKALIKE_COLOR = "#d62828";
/** Nodes and edges pushed to the back while something is selected. */
export const MUTED_COLOR = "#e4e7ec";
