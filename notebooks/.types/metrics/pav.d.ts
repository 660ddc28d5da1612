import type { TrialGroups } from "./trials.ts";
/**
 * Pool-adjacent-violators over the labels sorted by score, as consecutive blocks of score groups
 * with their target / non-target counts. Within a tie the targets count as coming first (the stable
 * sort of BOSARIS's [targets; non-targets] order), so a tie is a decreasing run and always lands in
 * one block: PAV over groups with value targets/(targets+nontargets). Blocks pool while the earlier
 * value is >= the later one, so the block posteriors are strictly increasing.
 */
export interface PavBlocks {
    readonly targets: Float64Array;
    readonly nontargets: Float64Array;
    readonly count: number;
}
export declare function pavBlocks(groups: TrialGroups): PavBlocks;
