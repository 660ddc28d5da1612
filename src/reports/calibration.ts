// The report's calibration parts: costs before and after calibration, and what dev-tuned thresholds cost here.
import type { Calibration } from "../calibration/linear.ts";
import { actualDcf, calibratedMetricsOfGroups, minDcf, type CalibratedMetrics, type TrialGroups } from "../metrics/index.ts";
import { confusionAt } from "../metrics/thresholds.ts";

/** What the report needs to show a calibration: the calibration, where it came from, and the calibrated scores. */
export interface ReportCalibration {
  calibration: Calibration;
  /** The calib.json file (or another name for it). */
  source: string;
  /** The calibrated LLRs, aligned with the report's scores. */
  llrs: ArrayLike<number>;
  /** `calibratedMetrics(llrs, labels)`. */
  metrics: CalibratedMetrics;
}

const PRIORS = [0.01, 0.05] as const;

/** One line of the before/after table. */
export interface CalibrationCostRow {
  label: string;
  raw: number;
  calibrated: number;
}

/**
 * Actual DCF (Bayes threshold, scores taken as LLRs), minDCF and Cllr of the raw scores next to those of
 * the calibrated ones. A linear calibration leaves minDCF and minCllr where they were; the actual costs
 * approach them.
 */
export function calibrationCostRows(raw: TrialGroups, calibrated: TrialGroups): CalibrationCostRow[] {
  const before = calibratedMetricsOfGroups(raw);
  const after = calibratedMetricsOfGroups(calibrated);
  return [
    ...PRIORS.map((p) => {
      const key = p === 0.01 ? "act_dcf_p0.01" : "act_dcf_p0.05";
      return { label: `actual DCF (P_target = ${p})`, raw: before[key], calibrated: after[key] };
    }),
    ...PRIORS.map((p) => ({ label: `minDCF (P_target = ${p})`, raw: minDcf(raw, { pTarget: p }).value, calibrated: minDcf(calibrated, { pTarget: p }).value })),
    { label: "Cllr (bits)", raw: before.cllr_calibrated, calibrated: after.cllr_calibrated },
    { label: "minCllr (bits)", raw: before.min_cllr, calibrated: after.min_cllr },
    { label: "calibration loss Cllr − minCllr (bits)", raw: before.calibration_loss, calibrated: after.calibration_loss },
  ];
}

/** A decision rule measured on the evaluation trials. */
export interface TransferRow {
  /** The operating point and where its threshold came from. */
  name: string;
  /** The rule, e.g. "raw score ≥ 0.4312" or "llr ≥ 4.595". */
  rule: string;
  far: number;
  frr: number;
  /** Normalised DCF of these decisions at P_target 0.01 and 0.05. */
  dcf01: number;
  dcf05: number;
}

function measure(groups: TrialGroups, threshold: number): Omit<TransferRow, "name" | "rule"> {
  const c = confusionAt(groups, threshold);
  return {
    far: c.fp / groups.nNontarget,
    frr: c.fn / groups.nTarget,
    dcf01: actualDcf(groups, { pTarget: 0.01 }, threshold).value,
    dcf05: actualDcf(groups, { pTarget: 0.05 }, threshold).value,
  };
}

const rawRule = (t: number | null): string => (t === null ? "reject all" : `raw score ≥ ${t.toPrecision(6)}`);

/**
 * The thresholds tuned on the dev trials (from calib.json), each applied to these trials, then the Bayes
 * decisions on the calibrated scores at each prior: what a threshold chosen elsewhere actually costs here.
 */
export function transferRows(raw: TrialGroups, calibrated: TrialGroups, calibration: Calibration): TransferRow[] {
  const dev = (calibration.dev_thresholds ?? []).map((d) => ({ name: `${d.name}, tuned on dev`, rule: rawRule(d.threshold), ...measure(raw, d.threshold ?? Infinity) }));
  const bayes = PRIORS.map((p) => {
    const threshold = Math.log((1 - p) / p);
    return { name: `Bayes decision at P_target = ${p}`, rule: `calibrated llr ≥ ${threshold.toPrecision(4)}`, ...measure(calibrated, threshold) };
  });
  return [...dev, ...bayes];
}
