import { type OperatingPoints, type TrialGroups } from "./trials.ts";
/** A detection cost function: prior of a target trial and the costs of a miss and a false alarm. */
export interface DcfCost {
    pTarget: number;
    cMiss?: number;
    cFa?: number;
}
export interface DcfAtThreshold {
    /** Normalised detection cost. */
    value: number;
    /** Trials scoring >= threshold are accepted; +Infinity = reject all. */
    threshold: number;
}
/** Normalised minimum DCF over the operating points; ties go to the lowest threshold. */
export declare function minDcfFromPoints(points: OperatingPoints, cost: DcfCost): DcfAtThreshold;
export declare function minDcf(groups: TrialGroups, cost: DcfCost): DcfAtThreshold;
/** The Bayes decision threshold for calibrated log-likelihood-ratio scores: log(Cfa(1-P) / (Cmiss P)). */
export declare function bayesThreshold(cost: DcfCost): number;
/**
 * Normalised DCF of the decisions made at a fixed threshold (accept score >= threshold); by default
 * the Bayes threshold, which is right only for calibrated LLR scores.
 */
export declare function actualDcf(groups: TrialGroups, cost: DcfCost, threshold?: number): DcfAtThreshold;
