/** Labels: 1/true = target (same speaker), 0/false = non-target. */
export type Labels = ArrayLike<number> | ArrayLike<boolean>;
/**
 * Trials grouped by score: the sufficient statistic for every metric here. `scores` holds the
 * unique score values ascending; `targets[g]` / `nontargets[g]` count the trials scoring exactly
 * `scores[g]`. Every group holds at least one trial, so tied scores are never split.
 */
export interface TrialGroups {
    readonly scores: Float64Array;
    readonly targets: Uint32Array;
    readonly nontargets: Uint32Array;
    readonly nTarget: number;
    readonly nNontarget: number;
}
/** Validates the trials and groups them by score: O(n log n), one native sort per class. */
export declare function groupTrials(scores: ArrayLike<number>, labels: Labels, source?: string): TrialGroups;
/** The same score groups with new counts (a bootstrap draw); groups left empty are dropped. */
export declare function regroup(groups: TrialGroups, targets: Uint32Array, nontargets: Uint32Array): TrialGroups;
/**
 * Operating points at the unique thresholds, ascending, plus reject-all (t = +inf) last.
 * A trial is accepted when score >= t: point 0 accepts everything (Pmiss 0, Pfa 1).
 */
export interface OperatingPoints {
    readonly thresholds: Float64Array;
    readonly pmiss: Float64Array;
    readonly pfa: Float64Array;
}
export declare function operatingPoints(groups: TrialGroups): OperatingPoints;
