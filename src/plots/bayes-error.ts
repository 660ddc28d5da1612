import type { TopLevelSpec } from "vega-lite";
import { bayesErrorRates, groupTrials, type Labels } from "../metrics/index.ts";
import { round6 } from "./sample.ts";

/** Scores to draw: their name in the legend, the scores (taken as LLRs) and labels. */
export interface BayesErrorInput {
  name: string;
  scores: ArrayLike<number>;
  labels: Labels;
  /** Draw its minimum-DCF curve (default true; off for a monotone transform of scores already drawn). */
  minimum?: boolean;
}

export interface BayesErrorRow {
  /** The input's name, or DEFAULT_DETECTOR. */
  system: string;
  curve: "actual" | "minimum" | "default";
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
  for (const { name, scores, labels, minimum = true } of inputs) {
    const curve = bayesErrorRates(groupTrials(scores, labels, name));
    for (const p of curve) rows.push({ system: name, curve: "actual", logOdds: p.logOdds, dcf: round6(p.actual) });
    if (minimum) for (const p of curve) rows.push({ system: name, curve: "minimum", logOdds: p.logOdds, dcf: round6(p.minimum) });
  }
  rows.push({ system: DEFAULT_DETECTOR, curve: "default", logOdds: -10, dcf: 1 }, { system: DEFAULT_DETECTOR, curve: "default", logOdds: 10, dcf: 1 });
  return rows;
}

/**
 * The normalised Bayes error-rate plot (BOSARIS/pyllr): per input (one colour) the actual (solid) and
 * minimum (dashed) normalised DCF against the prior log-odds logit(P_target) from −10 to +10, with the
 * default detector at 1 (dotted). The gap between a solid line and its dashed one is the cost of
 * miscalibration at that prior.
 */
export function bayesErrorSpec(inputs: readonly BayesErrorInput[], { title, width = 520, height = 300, yMax = 1.2 }: BayesErrorPlotOptions = {}): TopLevelSpec {
  const rows = bayesErrorData(inputs);
  const systems = [...new Set(rows.map((r) => r.system))];
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
      color: { field: "system", type: "nominal", title: null, sort: systems, legend: { orient: "right", labelLimit: 260 } },
      strokeDash: {
        field: "curve",
        type: "nominal",
        scale: { domain: ["actual", "minimum", "default"], range: [[1, 0], [6, 3], [2, 2]] },
        legend: { orient: "right", title: null, values: ["actual", "minimum"] },
      },
      detail: { field: "curve" },
      tooltip: [{ field: "system" }, { field: "curve" }, { field: "logOdds", format: ".2f" }, { field: "dcf", format: ".4f" }],
    },
  };
}
