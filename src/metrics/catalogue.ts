// Every metric VoxLab reports, once: its key (as in METRICS.md and metrics.json), its names in the three tables
// that show it (voxlab metrics, report.html, compare), how its value is written, and where it is read from.
import type { CalibratedMetrics } from "./calibrated.ts";
import { cllr, minCllr } from "./cllr.ts";
import { minDcf } from "./dcf.ts";
import { eer, rocchEer } from "./eer.ts";
import type { VerificationMetrics } from "./index.ts";
import type { TrialGroups } from "./trials.ts";

/**
 * How a value is written: `rate` as a percentage with 3 decimals, `cost` and `bits` with 4 decimals, `count` as
 * an integer, `threshold` as a score (+Infinity for reject-all).
 */
export type MetricUnit = "rate" | "cost" | "bits" | "count" | "threshold";

interface MetricBase {
  /** The name in report.html and the paired-comparison tables. */
  label: string;
  /** How to read it, said after the value in `voxlab metrics` text output. */
  note?: string;
  /** The row name in `voxlab metrics` text output (absent: not a row of its own). */
  cliLabel?: string;
  /** The column head in `voxlab compare`'s table (absent: not a column). */
  column?: string;
  unit: MetricUnit;
}

/** A metric of the raw scores: `computeMetrics(...)[key]`. */
export interface ScoreMetric extends MetricBase {
  from: "scores";
  key: keyof VerificationMetrics;
  /** The key of the threshold reaching it, shown beside it. */
  threshold?: keyof VerificationMetrics;
  /** Computes it alone on trials grouped by score (a bootstrap resample); `computeMetrics` computes all at once. */
  compute?: (groups: TrialGroups) => number;
}

/** A metric of calibrated scores: `calibratedMetrics(...)[key]`. */
export interface CalibratedMetric extends MetricBase {
  from: "calibrated";
  key: keyof CalibratedMetrics;
}

export type MetricDefinition = ScoreMetric | CalibratedMetric;

/** In the order of `voxlab metrics` and `voxlab compare`. */
export const METRIC_CATALOGUE = [
  { from: "scores", key: "n_target", label: "Target trials", unit: "count" },
  { from: "scores", key: "n_nontarget", label: "Non-target trials", unit: "count" },
  { from: "scores", key: "eer", label: "EER", cliLabel: "EER", column: "EER %", unit: "rate", compute: eer },
  { from: "scores", key: "eer_rocch", label: "ROCCH-EER", cliLabel: "EER (ROCCH)", column: "ROCCH-EER %", unit: "rate", compute: rocchEer },
  { from: "scores", key: "min_dcf_p0.01", label: "minDCF (P_target = 0.01)", cliLabel: "minDCF p=0.01", column: "minDCF 0.01", unit: "cost", threshold: "min_dcf_p0.01_threshold", compute: (g: TrialGroups) => minDcf(g, { pTarget: 0.01 }).value },
  { from: "scores", key: "min_dcf_p0.01_threshold", label: "minDCF (P_target = 0.01) threshold", unit: "threshold" },
  { from: "scores", key: "min_dcf_p0.05", label: "minDCF (P_target = 0.05)", cliLabel: "minDCF p=0.05", column: "minDCF 0.05", unit: "cost", threshold: "min_dcf_p0.05_threshold", compute: (g: TrialGroups) => minDcf(g, { pTarget: 0.05 }).value },
  { from: "scores", key: "min_dcf_p0.05_threshold", label: "minDCF (P_target = 0.05) threshold", unit: "threshold" },
  { from: "scores", key: "cllr", label: "Cllr", cliLabel: "Cllr", column: "Cllr", unit: "bits", note: "scores taken as natural-log LLRs", compute: cllr },
  { from: "scores", key: "min_cllr", label: "minCllr", cliLabel: "minCllr", column: "minCllr", unit: "bits", compute: minCllr },
  { from: "calibrated", key: "act_dcf_p0.01", label: "actDCF (P_target = 0.01)", cliLabel: "actDCF p=0.01", unit: "cost", note: "calibrated scores, Bayes threshold" },
  { from: "calibrated", key: "act_dcf_p0.05", label: "actDCF (P_target = 0.05)", cliLabel: "actDCF p=0.05", unit: "cost", note: "calibrated scores, Bayes threshold" },
  { from: "calibrated", key: "cllr_calibrated", label: "Cllr calibrated", cliLabel: "Cllr calibrated", unit: "bits" },
  { from: "calibrated", key: "calibration_loss", label: "calibration loss", unit: "bits" },
] as const satisfies readonly MetricDefinition[];

/** The calibrated scores' metrics that metrics.json and `voxlab metrics --json` add (min_cllr is the raw scores' already). */
export function calibratedJson(m: CalibratedMetrics): Partial<CalibratedMetrics> {
  return Object.fromEntries(METRIC_CATALOGUE.flatMap((d) => (d.from === "calibrated" ? [[d.key, m[d.key]]] : [])));
}

export type CatalogueKey = (typeof METRIC_CATALOGUE)[number]["key"];

/** The catalogue's entry for `key`. */
export function metricDefinition(key: CatalogueKey): MetricDefinition {
  const found = METRIC_CATALOGUE.find((m) => m.key === key);
  if (found === undefined) throw new Error(`no metric ${key} in the catalogue`);
  return found;
}

/** A rate, cost or bits value as a table cell under a head naming the unit: "1.234" (rates in %), "0.1234" (the others). */
export function formatMetricNumber(unit: MetricUnit, value: number): string {
  return unit === "rate" ? (100 * value).toFixed(3) : value.toFixed(4);
}

/** A rate, cost or bits value as the tables write it: "1.234 %" (rates), "0.1234" (the others). */
export function formatMetricValue(unit: MetricUnit, value: number): string {
  return unit === "rate" ? `${formatMetricNumber(unit, value)} %` : formatMetricNumber(unit, value);
}

export type CompareColumn = Extract<(typeof METRIC_CATALOGUE)[number], { column: string }>;

/** The entries of the catalogue that have a column in the compare table, in order. */
export const COMPARE_COLUMNS: readonly CompareColumn[] = METRIC_CATALOGUE.filter((m): m is CompareColumn => "column" in m);
