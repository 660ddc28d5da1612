import type { TopLevelSpec } from "vega-lite";
import { bayesErrorRates, groupTrials, type Labels } from "../metrics/index.ts";
import { round6 } from "./sample.ts";

/** Scores to draw: their name in the legend, the scores (taken as LLRs) and labels. */
export interface BayesErrorInput {
  name: string;
  scores: ArrayLike<number>;
  labels: Labels;
}

export interface BayesErrorRow {
  /** The legend entry, e.g. "raw cosine: actual". */
  series: string;
  logOdds: number;
  dcf: number;
}

export interface BayesErrorPlotOptions {
  title?: string;
  width?: number;
  height?: number;
  /** Top of the y axis (default 1.2): actual costs far above the default detector are clipped. */
  yMax?: number;
}

export const DEFAULT_DETECTOR = "default detector";

/** Long-form rows: per input its actual and minimum normalised DCF, plus the default-detector line at 1. */
export function bayesErrorData(inputs: readonly BayesErrorInput[]): BayesErrorRow[] {
  const rows: BayesErrorRow[] = [];
  for (const { name, scores, labels } of inputs) {
    const curve = bayesErrorRates(groupTrials(scores, labels, name));
    for (const p of curve) rows.push({ series: `${name}: actual`, logOdds: p.logOdds, dcf: round6(p.actual) });
    for (const p of curve) rows.push({ series: `${name}: minimum`, logOdds: p.logOdds, dcf: round6(p.minimum) });
  }
  rows.push({ series: DEFAULT_DETECTOR, logOdds: -10, dcf: 1 }, { series: DEFAULT_DETECTOR, logOdds: 10, dcf: 1 });
  return rows;
}

/**
 * The normalised Bayes error-rate plot (BOSARIS/pyllr): actual (solid) and minimum (dashed) normalised
 * DCF against the prior log-odds logit(P_target) from −10 to +10, with the default detector at 1 (dotted).
 * The gap between a solid and its dashed line is the cost of miscalibration at that prior.
 */
export function bayesErrorSpec(inputs: readonly BayesErrorInput[], { title, width = 520, height = 300, yMax = 1.2 }: BayesErrorPlotOptions = {}): TopLevelSpec {
  const rows = bayesErrorData(inputs);
  const series = [...new Set(rows.map((r) => r.series))];
  const dash = series.map((s) => (s === DEFAULT_DETECTOR ? [2, 2] : s.endsWith(": minimum") ? [6, 3] : [1, 0]));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(title === undefined ? {} : { title }),
    width,
    height,
    datasets: { bayes: rows },
    data: { name: "bayes" },
    mark: { type: "line", clip: true, strokeWidth: 2 },
    encoding: {
      x: { field: "logOdds", type: "quantitative", scale: { domain: [-10, 10], nice: false }, axis: { title: "Prior log-odds logit(P_target)" } },
      y: { field: "dcf", type: "quantitative", scale: { domain: [0, yMax] }, axis: { title: "Normalised DCF" } },
      color: { field: "series", type: "nominal", title: null, sort: series, legend: { orient: "right", labelLimit: 260 } },
      strokeDash: { field: "series", type: "nominal", sort: series, scale: { domain: series, range: dash }, legend: null },
      tooltip: [{ field: "series" }, { field: "logOdds", format: ".2f" }, { field: "dcf", format: ".4f" }],
    },
  };
}
