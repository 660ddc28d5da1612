import { type TrialGroups, type VerificationMetrics } from "../metrics/index.ts";
/** Decisions at a threshold (accept score >= threshold); target = positive. */
export interface ConfusionCounts {
    tp: number;
    fn: number;
    fp: number;
    tn: number;
}
export declare function confusionAt(groups: TrialGroups, threshold: number): ConfusionCounts;
/** Errors needed before an error rate is trusted (Doddington's rule of 30). */
export declare const RULE_OF_30 = 30;
/**
 * Doddington's rule of 30: a rate asked for is only measurable with at least 30 expected errors,
 * i.e. trials · rate >= 30. Returns a one-line warning when the trials are too few, else undefined.
 */
export declare function ruleOf30Warning(trials: number, rate: number, kind: "non-target" | "target"): string | undefined;
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
/**
 * The operating thresholds worth tuning from: at the EER (the lowest threshold whose FAR is at
 * most the EER: the first operating point at or past the crossing), at each minDCF, and at each
 * FAR / FRR target, with the confusion counts and achieved rates on these trials. Rows whose
 * target rate the trial counts cannot measure carry a rule-of-30 warning.
 */
export declare function thresholdTable(groups: TrialGroups, metrics: VerificationMetrics, { farTargets, frrTargets }?: ThresholdTableOptions): ThresholdRow[];
