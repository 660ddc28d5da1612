import { cllr, minCllr } from "./cllr.ts";
import { actualDcf, minDcfFromPoints } from "./dcf.ts";
import { groupTrials, operatingPoints, type Labels, type TrialGroups } from "./trials.ts";

/**
 * The costs of decisions made from calibrated log-likelihood-ratio scores (docs/calibration-metrics.md):
 * - `act_dcf_p0.01`, `act_dcf_p0.05`: normalised DCF of "accept if llr ≥ −logit(P)" (the Bayes threshold
 *   log((1−P)/P), Cmiss = Cfa = 1), normalised by min(P, 1−P) like minDCF;
 * - `cllr_calibrated`: Cllr of the llrs; `min_cllr`: minCllr (unchanged by any monotone calibration);
 * - `calibration_loss`: cllr_calibrated − min_cllr, the bits lost to miscalibration.
 */
export interface CalibratedMetrics {
  "act_dcf_p0.01": number;
  "act_dcf_p0.05": number;
  cllr_calibrated: number;
  min_cllr: number;
  calibration_loss: number;
}

export function calibratedMetricsOfGroups(groups: TrialGroups): CalibratedMetrics {
  const calibrated = cllr(groups);
  const minimum = minCllr(groups);
  return {
    "act_dcf_p0.01": actualDcf(groups, { pTarget: 0.01 }).value,
    "act_dcf_p0.05": actualDcf(groups, { pTarget: 0.05 }).value,
    cllr_calibrated: calibrated,
    min_cllr: minimum,
    calibration_loss: calibrated - minimum,
  };
}

/** `CalibratedMetrics` of LLR scores (e.g. `applyCalibration`'s output) and their labels. O(n log n). */
export function calibratedMetrics(llrs: ArrayLike<number>, labels: Labels, source = "calibrated scores"): CalibratedMetrics {
  return calibratedMetricsOfGroups(groupTrials(llrs, labels, source));
}

/** One prior of a normalised Bayes error-rate plot. */
export interface BayesErrorPoint {
  /** Prior log-odds η = logit(P_target). */
  logOdds: number;
  /** Normalised DCF of Bayes decisions on the scores as LLRs (threshold −η). */
  actual: number;
  /** Normalised minDCF: the cost after the best threshold for this prior. */
  minimum: number;
}

/** Prior log-odds −10…+10 in steps of 0.1: BOSARIS's and pyllr's usual range. */
export const BAYES_ERROR_LOG_ODDS: readonly number[] = Array.from({ length: 201 }, (_, i) => Math.round((i - 100) * 10) / 100);

/**
 * The normalised Bayes error-rate curves (Brümmer's applied-probability-of-error plot, normalised):
 * at each prior log-odds η, P = sigmoid(η), the actual normalised DCF of the decisions llr ≥ −η and the
 * minimum normalised DCF over all thresholds. Both divide by min(P, 1−P), the cost of the default
 * detector (accept all or reject all without looking at the scores), so that detector is the line y = 1.
 * O(n log n + n·priors).
 */
export function bayesErrorRates(groups: TrialGroups, logOdds: readonly number[] = BAYES_ERROR_LOG_ODDS): BayesErrorPoint[] {
  const points = operatingPoints(groups);
  return logOdds.map((eta) => {
    // The prior from its log-odds in a form that keeps P and 1 − P apart from 0 and 1 at |η| = 10.
    const pTarget = 1 / (1 + Math.exp(-eta));
    return { logOdds: eta, actual: actualDcf(groups, { pTarget }, -eta).value, minimum: minDcfFromPoints(points, { pTarget }).value };
  });
}
