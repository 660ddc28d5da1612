// Bootstrap confidence intervals of the metrics that have them (report.html, metrics.json).
import { bootstrapCi, type BootstrapOptions, type ConfidenceInterval } from "./bootstrap.ts";
import { metricDefinition } from "./catalogue.ts";
import type { Labels, TrialGroups } from "./trials.ts";

/** The metrics that get a bootstrap interval, in the order of the report's table and of metrics.json. */
export const INTERVAL_METRICS = ["eer", "min_dcf_p0.01", "min_dcf_p0.05", "cllr", "min_cllr", "eer_rocch"] as const;

export type IntervalMetric = (typeof INTERVAL_METRICS)[number];
export type MetricIntervals = Partial<Record<IntervalMetric, ConfidenceInterval>>;

/** The function that recomputes `key` on a resample (from the catalogue). */
export function intervalMetric(key: IntervalMetric): (groups: TrialGroups) => number {
  const definition = metricDefinition(key);
  const compute = definition.from === "scores" ? definition.compute : undefined;
  if (compute === undefined) throw new Error(`metric ${key} has no compute function`);
  return compute;
}

export function metricIntervals(scores: ArrayLike<number>, labels: Labels, options: BootstrapOptions = {}): MetricIntervals {
  const intervals: MetricIntervals = {};
  for (const key of INTERVAL_METRICS) intervals[key] = bootstrapCi(scores, labels, intervalMetric(key), options);
  return intervals;
}
