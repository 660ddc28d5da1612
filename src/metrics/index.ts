import { minCllr, cllr } from "./cllr.ts";
import { minDcfFromPoints } from "./dcf.ts";
import { eerFromPoints, rocchEer } from "./eer.ts";
import { pavBlocks } from "./pav.ts";
import { groupTrials, operatingPoints, type Labels, type TrialGroups } from "./trials.ts";

export { bootstrapCi, type BootstrapOptions, type ConfidenceInterval } from "./bootstrap.ts";
export {
  BAYES_ERROR_LOG_ODDS,
  bayesErrorRates,
  calibratedMetrics,
  calibratedMetricsOfGroups,
  type BayesErrorPoint,
  type CalibratedMetrics,
} from "./calibrated.ts";
export {
  calibratedJson,
  COMPARE_COLUMNS,
  formatMetricNumber,
  formatMetricValue,
  METRIC_CATALOGUE,
  metricDefinition,
  type CalibratedMetric,
  type CatalogueKey,
  type MetricDefinition,
  type MetricUnit,
  type ScoreMetric,
} from "./catalogue.ts";
export { cllr, minCllr } from "./cllr.ts";
export { actualDcf, bayesThreshold, minDcf, minDcfFromPoints, type DcfAtThreshold, type DcfCost } from "./dcf.ts";
export {
  detCurve,
  detTicks,
  probit,
  thresholdAtFalseAcceptRate,
  thresholdAtFalseRejectRate,
  type DetCurve,
  type ThresholdChoice,
} from "./det.ts";
export { eer, eerFromPoints, rocchEer } from "./eer.ts";
export { INTERVAL_METRICS, intervalMetric, metricIntervals, type IntervalMetric, type MetricIntervals } from "./intervals.ts";
export { pairedSpeakerBootstrap, pairedVerdict, type PairedBootstrapOptions, type PairedDifference, type PairedTrials } from "./paired-bootstrap.ts";
export { groupTrials, operatingPoints, type Labels, type OperatingPoints, type TrialGroups } from "./trials.ts";

/**
 * The metrics of METRICS.md under its key names. Thresholds are +Infinity for reject-all, which
 * JSON.stringify writes as null.
 */
export interface VerificationMetrics {
  n_target: number;
  n_nontarget: number;
  eer: number;
  eer_rocch: number;
  "min_dcf_p0.01": number;
  "min_dcf_p0.01_threshold": number;
  "min_dcf_p0.05": number;
  "min_dcf_p0.05_threshold": number;
  cllr: number;
  min_cllr: number;
}

export interface ComputeMetricsOptions {
  /** Names the trials in error messages (e.g. the scores file). */
  source?: string;
}

/**
 * All the standard metrics of a trial list (accept when score >= t; label 1 = target). O(n log n): the trials
 * are sorted once (groupTrials), and the operating points and PAV blocks are shared by the metrics that use them.
 */
export function computeMetrics(scores: ArrayLike<number>, labels: Labels, { source }: ComputeMetricsOptions = {}): VerificationMetrics {
  return metricsOfGroups(groupTrials(scores, labels, source));
}

/** All the standard metrics of trials already grouped by score (e.g. a bootstrap resample), sharing one pass of operating points. */
export function metricsOfGroups(groups: TrialGroups): VerificationMetrics {
  const points = operatingPoints(groups);
  const dcf01 = minDcfFromPoints(points, { pTarget: 0.01 });
  const dcf05 = minDcfFromPoints(points, { pTarget: 0.05 });
  const blocks = pavBlocks(groups);
  return {
    n_target: groups.nTarget,
    n_nontarget: groups.nNontarget,
    eer: eerFromPoints(points),
    eer_rocch: rocchEer(groups, blocks),
    "min_dcf_p0.01": dcf01.value,
    "min_dcf_p0.01_threshold": dcf01.threshold,
    "min_dcf_p0.05": dcf05.value,
    "min_dcf_p0.05_threshold": dcf05.threshold,
    cllr: cllr(groups),
    min_cllr: minCllr(groups, blocks),
  };
}
