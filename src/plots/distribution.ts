import type { TopLevelSpec } from "vega-lite";
import { VoxlabError } from "../core/errors.ts";
import type { Labels } from "../metrics/index.ts";
import { round6 } from "./sample.ts";

/** A decision threshold to draw on a score axis. */
export interface NamedThreshold {
  name: string;
  value: number;
}

export interface ScoreDistributionOptions {
  thresholds?: readonly NamedThreshold[];
  /** Histogram bins over the score range (default 60). */
  bins?: number;
  title?: string;
  width?: number;
  height?: number;
}

const CLASSES = ["target", "non-target"] as const;
type TrialClass = (typeof CLASSES)[number];

export interface HistogramRow {
  class: TrialClass;
  start: number;
  end: number;
  /** Trials in the bin / (trials of the class · bin width): the classes compare despite their sizes. */
  density: number;
}

export interface DensityRow {
  class: TrialClass;
  score: number;
  density: number;
}

function splitByClass(scores: ArrayLike<number>, labels: Labels): Record<TrialClass, Float64Array> {
  if (scores.length !== labels.length) throw new VoxlabError(`score distribution: ${scores.length} scores but ${labels.length} labels`);
  const target: number[] = [];
  const nontarget: number[] = [];
  for (let i = 0; i < scores.length; i++) (labels[i] === 1 || labels[i] === true ? target : nontarget).push(scores[i]);
  return { target: Float64Array.from(target), "non-target": Float64Array.from(nontarget) };
}

/** Per-class histogram densities on shared bins spanning [lower, upper]. */
export function histogram(values: Float64Array, lower: number, upper: number, bins: number): Float64Array {
  const width = (upper - lower) / bins;
  const counts = new Float64Array(bins);
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lower) / width)))]++;
  return counts.map((c) => c / (values.length * width));
}

/** Silverman's rule-of-thumb bandwidth, 0.9·min(sd, IQR/1.34)·n^(−1/5), robust to a skewed class. */
export function silvermanBandwidth(values: Float64Array): number {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, n - 1));
  const sorted = Float64Array.from(values).sort();
  const iqr = sorted[Math.floor(0.75 * (n - 1))] - sorted[Math.floor(0.25 * (n - 1))];
  const spread = iqr > 0 ? Math.min(sd, iqr / 1.34) : sd;
  return 0.9 * (spread > 0 ? spread : 1) * n ** -0.2;
}

/** Points on which the density lines are evaluated. */
const DENSITY_GRID = 256;

/**
 * Gaussian kernel density on `grid` evenly spaced points over [lower, upper]: the values are first
 * linearly binned onto the grid, then convolved with the kernel cut at 4 bandwidths, so a million
 * scores cost O(n + grid · kernel width) instead of O(n · grid).
 */
export function kernelDensity(values: Float64Array, lower: number, upper: number, grid = DENSITY_GRID): Float64Array {
  const step = (upper - lower) / (grid - 1);
  const mass = new Float64Array(grid);
  for (const v of values) {
    const position = Math.min(grid - 1, Math.max(0, (v - lower) / step));
    const left = Math.min(grid - 2, Math.floor(position));
    const fraction = position - left;
    mass[left] += 1 - fraction;
    mass[left + 1] += fraction;
  }
  const bandwidth = silvermanBandwidth(values);
  const reach = Math.ceil((4 * bandwidth) / step);
  const kernel = Float64Array.from({ length: 2 * reach + 1 }, (_, k) => {
    const z = ((k - reach) * step) / bandwidth;
    return Math.exp(-0.5 * z * z) / (bandwidth * Math.sqrt(2 * Math.PI) * values.length);
  });
  const density = new Float64Array(grid);
  for (let g = 0; g < grid; g++) {
    if (mass[g] === 0) continue;
    for (let k = Math.max(0, reach - g); k < kernel.length && g + k - reach < grid; k++) density[g + k - reach] += mass[g] * kernel[k];
  }
  return density;
}

const CLASS_COLORS = { domain: [...CLASSES], range: ["#1f77b4", "#d62728"] };

/** What a score distribution plot draws: per-class histogram densities and kernel density lines. */
export interface ScoreDistributionData {
  histogram: HistogramRow[];
  density: DensityRow[];
  /** The score range the bins span. */
  lower: number;
  upper: number;
}

export function scoreDistributionData(scores: ArrayLike<number>, labels: Labels, bins = 60): ScoreDistributionData {
  const byClass = splitByClass(scores, labels);
  let lower = Infinity;
  let upper = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    lower = Math.min(lower, scores[i]);
    upper = Math.max(upper, scores[i]);
  }
  if (!(upper > lower)) upper = lower + 1;
  const binWidth = (upper - lower) / bins;
  const histogramRows: HistogramRow[] = [];
  const densityRows: DensityRow[] = [];
  for (const name of CLASSES) {
    const values = byClass[name];
    if (values.length === 0) continue;
    histogram(values, lower, upper, bins).forEach((density, b) => {
      histogramRows.push({ class: name, start: round6(lower + b * binWidth), end: round6(lower + (b + 1) * binWidth), density: round6(density) });
    });
    kernelDensity(values, lower, upper, DENSITY_GRID).forEach((density, g) => {
      densityRows.push({ class: name, score: round6(lower + (g * (upper - lower)) / (DENSITY_GRID - 1)), density: round6(density) });
    });
  }
  return { histogram: histogramRows, density: densityRows, lower, upper };
}

/**
 * Target and non-target score histograms (each normalised to unit area) with a kernel density line
 * per class, and a labelled vertical rule at each threshold.
 */
export function scoreDistributionSpec(
  scores: ArrayLike<number>,
  labels: Labels,
  { thresholds = [], bins = 60, title, width = 520, height = 300 }: ScoreDistributionOptions = {},
): TopLevelSpec {
  const { histogram: histogramRows, density: densityRows, lower, upper } = scoreDistributionData(scores, labels, bins);
  const x = { type: "quantitative" as const, scale: { domain: [lower, upper], nice: false, zero: false } };
  const color = { field: "class", type: "nominal" as const, title: null, scale: CLASS_COLORS, legend: { orient: "top-left" as const } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(title === undefined ? {} : { title }),
    width,
    height,
    datasets: { histogram: histogramRows, density: densityRows, thresholds: thresholds.map((t) => ({ ...t })) },
    layer: [
      {
        data: { name: "histogram" },
        mark: { type: "rect", opacity: 0.35 },
        encoding: {
          x: { ...x, field: "start", axis: { title: "Score" } },
          x2: { field: "end" },
          y: { field: "density", type: "quantitative", axis: { title: "Density" } },
          y2: { datum: 0 },
          color,
        },
      },
      {
        data: { name: "density" },
        mark: { type: "line", strokeWidth: 2 },
        encoding: { x: { ...x, field: "score" }, y: { field: "density", type: "quantitative" }, color },
      },
      {
        data: { name: "thresholds" },
        mark: { type: "rule", color: "black", strokeDash: [5, 3] },
        encoding: { x: { ...x, field: "value" }, tooltip: [{ field: "name" }, { field: "value", format: ".4f" }] },
      },
      {
        data: { name: "thresholds" },
        mark: { type: "text", angle: 270, align: "right", baseline: "bottom", dx: -4, dy: -3, fontSize: 10 },
        encoding: { x: { ...x, field: "value" }, y: { value: 0 }, text: { field: "name" } },
      },
    ],
  };
}
