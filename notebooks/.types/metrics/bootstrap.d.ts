import { type Labels, type TrialGroups } from "./trials.ts";
export interface BootstrapOptions {
    /** Resamples (default 1000). */
    iterations?: number;
    /** Coverage of the interval (default 0.95). */
    confidence?: number;
    /** PRNG seed (default 0): the same seed gives the same interval. */
    seed?: number;
}
export interface ConfidenceInterval {
    /** The metric on the original trials. */
    estimate: number;
    lower: number;
    upper: number;
    confidence: number;
    iterations: number;
}
/**
 * Percentile bootstrap interval of a metric (e.g. `eer`, or `(g) => minDcf(g, { pTarget: 0.01 }).value`).
 * Stratified: each resample draws N_tar targets and N_non non-targets with replacement, so both
 * classes keep their sizes. The resampled trials stay grouped by score, so one draw costs O(n).
 */
export declare function bootstrapCi(scores: ArrayLike<number>, labels: Labels, metric: (groups: TrialGroups) => number, { iterations, confidence, seed }?: BootstrapOptions): ConfidenceInterval;
