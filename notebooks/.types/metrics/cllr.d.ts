import type { TrialGroups } from "./trials.ts";
/**
 * Log-likelihood-ratio cost of scores taken as natural-log LLRs, in bits:
 * (mean log2(1 + e^-s) over targets + mean log2(1 + e^s) over non-targets) / 2.
 */
export declare function cllr(groups: TrialGroups): number;
/**
 * Cllr after the optimal monotone calibration: each PAV block's posterior p turned into the LLR
 * logit(p) - log(N_tar / N_non). Pure blocks give ±inf, but a target never sits in a block with
 * p = 0 nor a non-target in one with p = 1, so their terms are exactly 0 and are skipped (0 · inf).
 */
export declare function minCllr(groups: TrialGroups): number;
