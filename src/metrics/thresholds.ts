import {
  thresholdAtFalseAcceptRate,
  thresholdAtFalseRejectRate,
  type TrialGroups,
  type VerificationMetrics,
} from "./index.ts";

/** Decisions at a threshold (accept score >= threshold); target = positive. */
export interface ConfusionCounts {
  tp: number;
  fn: number;
  fp: number;
  tn: number;
}

export function confusionAt(groups: TrialGroups, threshold: number): ConfusionCounts {
  let fn = 0;
  let tn = 0;
  for (let g = 0; g < groups.scores.length && groups.scores[g] < threshold; g++) {
    fn += groups.targets[g];
    tn += groups.nontargets[g];
  }
  return { tp: groups.nTarget - fn, fn, fp: groups.nNontarget - tn, tn };
}

/** Errors needed before an error rate is trusted (Doddington's rule of 30). */
export const RULE_OF_30 = 30;

/**
 * Doddington's rule of 30: a rate asked for is only measurable with at least 30 expected errors,
 * i.e. trials · rate >= 30. Returns a one-line warning when the trials are too few, else undefined.
 */
export function ruleOf30Warning(trials: number, rate: number, kind: "non-target" | "target"): string | undefined {
  // A relative tolerance keeps e.g. 3000 · 1 % (29.999999999999996 in floating point) at 30.
  const expected = trials * rate;
  if (expected >= RULE_OF_30 * (1 - 1e-9)) return undefined;
  const needed = Math.ceil(RULE_OF_30 / rate - 1e-9);
  return `${trials} ${kind} trials give ${Number(expected.toPrecision(3))} expected errors at ${Number((rate * 100).toPrecision(4))} %; the rule of 30 needs at least ${needed}`;
}

export interface ThresholdRow {
  /** What the threshold was chosen for, e.g. "FAR ≤ 1 %". */
  name: string;
  /** Accept score >= threshold; +Infinity = reject all. */
  threshold: number;
  counts: ConfusionCounts;
  /** Achieved false-accept rate FP/(FP+TN) and false-reject rate FN/(TP+FN) on these trials. */
  far: number;
  frr: number;
  warning?: string;
}

export interface ThresholdTableOptions {
  /** False-accept-rate targets (default 1 %, 0.1 %). */
  farTargets?: readonly number[];
  /** False-reject-rate targets (default 1 %). */
  frrTargets?: readonly number[];
}

function row(groups: TrialGroups, name: string, threshold: number, warning: string | undefined): ThresholdRow {
  const counts = confusionAt(groups, threshold);
  return { name, threshold, counts, far: counts.fp / groups.nNontarget, frr: counts.fn / groups.nTarget, ...(warning === undefined ? {} : { warning }) };
}

const percent = (rate: number): string => `${Number((rate * 100).toPrecision(4))} %`;

/**
 * The operating thresholds worth tuning from: at the EER (the lowest threshold whose FAR is at
 * most the EER: the first operating point at or past the crossing), at each minDCF, and at each
 * FAR / FRR target, with the confusion counts and achieved rates on these trials. Rows whose
 * target rate the trial counts cannot measure carry a rule-of-30 warning.
 */
export function thresholdTable(groups: TrialGroups, metrics: VerificationMetrics, { farTargets = [0.01, 0.001], frrTargets = [0.01] }: ThresholdTableOptions = {}): ThresholdRow[] {
  const eerWarning = ruleOf30Warning(groups.nTarget, metrics.eer, "target") ?? ruleOf30Warning(groups.nNontarget, metrics.eer, "non-target");
  return [
    row(groups, `EER (${percent(metrics.eer)})`, thresholdAtFalseAcceptRate(groups, metrics.eer).threshold, eerWarning),
    row(groups, "minDCF (P_target = 0.01)", metrics["min_dcf_p0.01_threshold"], undefined),
    row(groups, "minDCF (P_target = 0.05)", metrics["min_dcf_p0.05_threshold"], undefined),
    ...farTargets.map((far) => row(groups, `FAR ≤ ${percent(far)}`, thresholdAtFalseAcceptRate(groups, far).threshold, ruleOf30Warning(groups.nNontarget, far, "non-target"))),
    ...frrTargets.map((frr) => row(groups, `FRR ≤ ${percent(frr)}`, thresholdAtFalseRejectRate(groups, frr).threshold, ruleOf30Warning(groups.nTarget, frr, "target"))),
  ];
}
