import { type TrialGroups } from "./trials.ts";
/** The standard normal quantile Φ⁻¹(p) (probit); -inf at 0, +inf at 1, NaN outside [0, 1]. */
export declare function probit(p: number): number;
/** A DET curve: the operating points as rates and on probit axes (±inf at rates 0 and 1). */
export interface DetCurve {
    thresholds: Float64Array;
    pfa: Float64Array;
    pmiss: Float64Array;
    probitPfa: Float64Array;
    probitPmiss: Float64Array;
    /** The EER point, Pfa = Pmiss = eer, to mark on the plot. */
    eer: number;
}
export declare function detCurve(groups: TrialGroups): DetCurve;
/**
 * DET axis ticks (as rates) for an axis estimated from `trials` trials: 0.1 %–40 % always, and
 * the finer 0.01 %–0.05 % ticks only where one trial is no more than that rate.
 */
export declare function detTicks(trials: number): number[];
/** An operating point chosen for a target error rate. */
export interface ThresholdChoice {
    /** Accept trials scoring >= threshold; +Infinity = reject all. */
    threshold: number;
    pfa: number;
    pmiss: number;
}
/** The lowest threshold whose false-accept rate is at most `far` (the fewest misses under that FAR). */
export declare function thresholdAtFalseAcceptRate(groups: TrialGroups, far: number): ThresholdChoice;
/** The highest threshold whose false-reject rate is at most `frr` (the fewest false accepts under that FRR). */
export declare function thresholdAtFalseRejectRate(groups: TrialGroups, frr: number): ThresholdChoice;
