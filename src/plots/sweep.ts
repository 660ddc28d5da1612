import type { TopLevelSpec } from "vega-lite";
import { groupTrials, minDcfFromPoints, operatingPoints, type DcfCost, type Labels } from "../metrics/index.ts";
import { decimate, round6 } from "./sample.ts";

export interface ThresholdSweepOptions {
  /** The DCFs to draw, normalised (default P_target 0.01 and 0.05, unit costs). */
  costs?: readonly DcfCost[];
  title?: string;
  width?: number;
  height?: number;
}

export interface SweepRow {
  series: string;
  threshold: number;
  value: number;
}

/** Keep points that move this much in threshold (fraction of the range) or in a plotted value (about 1 px). */
const SWEEP_STEP = 0.004;

const DEFAULT_COSTS: readonly DcfCost[] = [{ pTarget: 0.01 }, { pTarget: 0.05 }];

/** The normalised DCF of one operating point: the minimum over a one-point curve is that point's cost. */
function dcfAt(threshold: number, pmiss: number, pfa: number, cost: DcfCost): number {
  return minDcfFromPoints({ thresholds: Float64Array.of(threshold), pmiss: Float64Array.of(pmiss), pfa: Float64Array.of(pfa) }, cost).value;
}

function costName({ pTarget, cMiss = 1, cFa = 1 }: DcfCost): string {
  return cMiss === 1 && cFa === 1 ? `DCF (P=${pTarget})` : `DCF (P=${pTarget}, Cmiss=${cMiss}, Cfa=${cFa})`;
}

/**
 * Miss rate, false-alarm rate and normalised DCFs at the operating points (accept score >= t), in
 * long form (one row per series and threshold), decimated to what a plot can show.
 */
export function thresholdSweepData(scores: ArrayLike<number>, labels: Labels, costs: readonly DcfCost[] = DEFAULT_COSTS): SweepRow[] {
  const points = operatingPoints(groupTrials(scores, labels));
  // The last point is reject-all at t = +inf: not on a threshold axis.
  const count = points.thresholds.length - 1;
  const low = points.thresholds[0];
  const span = Math.max(points.thresholds[count - 1] - low, Number.MIN_VALUE);
  const position = Float64Array.from({ length: count }, (_, i) => (points.thresholds[i] - low) / span);
  const dcfs = costs.map((cost) => Float64Array.from({ length: count }, (_, i) => dcfAt(points.thresholds[i], points.pmiss[i], points.pfa[i], cost)));
  // Decimate on what is drawn: DCFs above the plot's top (1) are clipped, so their moves are not visible.
  const visible = dcfs.map((values) => values.map((v) => Math.min(v, 1.01)));
  const rows: SweepRow[] = [];
  for (const i of decimate([position, points.pmiss, points.pfa, ...visible], SWEEP_STEP)) {
    const threshold = round6(points.thresholds[i]);
    rows.push({ series: "Miss rate", threshold, value: round6(points.pmiss[i]) });
    rows.push({ series: "False alarm rate", threshold, value: round6(points.pfa[i]) });
    costs.forEach((cost, c) => rows.push({ series: costName(cost), threshold, value: round6(dcfs[c][i]) }));
  }
  return rows;
}

/**
 * Miss rate, false-alarm rate and normalised DCFs against the decision threshold. The y axis stops
 * at 1: a normalised DCF above 1 is worse than rejecting everything.
 */
export function thresholdSweepSpec(
  scores: ArrayLike<number>,
  labels: Labels,
  { costs = DEFAULT_COSTS, title, width = 520, height = 300 }: ThresholdSweepOptions = {},
): TopLevelSpec {
  const rows = thresholdSweepData(scores, labels, costs);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(title === undefined ? {} : { title }),
    width,
    height,
    datasets: { sweep: rows },
    data: { name: "sweep" },
    mark: { type: "line", clip: true, strokeWidth: 2, interpolate: "step-after" },
    encoding: {
      x: { field: "threshold", type: "quantitative", scale: { nice: false, zero: false }, axis: { title: "Threshold (accept score ≥ t)" } },
      y: { field: "value", type: "quantitative", scale: { domain: [0, 1] }, axis: { title: "Rate / normalised DCF" } },
      color: { field: "series", type: "nominal", title: null, sort: null, legend: { orient: "right" } },
      tooltip: [{ field: "series" }, { field: "threshold", format: ".4f" }, { field: "value", format: ".4f" }],
    },
  };
}
