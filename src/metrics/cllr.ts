import { pavBlocks, type PavBlocks } from "./pav.ts";
import type { TrialGroups } from "./trials.ts";

/** log(1 + e^x) without overflow; 0 at -inf, +inf at +inf. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * Log-likelihood-ratio cost of scores taken as natural-log LLRs, in bits:
 * (mean log2(1 + e^-s) over targets + mean log2(1 + e^s) over non-targets) / 2.
 */
export function cllr(groups: TrialGroups): number {
  let targetBits = 0;
  let nontargetBits = 0;
  for (let g = 0; g < groups.scores.length; g++) {
    const s = groups.scores[g];
    if (groups.targets[g] > 0) targetBits += groups.targets[g] * softplus(-s);
    if (groups.nontargets[g] > 0) nontargetBits += groups.nontargets[g] * softplus(s);
  }
  return (targetBits / groups.nTarget + nontargetBits / groups.nNontarget) / (2 * Math.LN2);
}

/**
 * Cllr after the optimal monotone calibration: each PAV block's posterior p turned into the LLR
 * logit(p) - log(N_tar / N_non). Pure blocks give ±inf, but a target never sits in a block with
 * p = 0 nor a non-target in one with p = 1, so their terms are exactly 0 and are skipped (0 · inf).
 * `blocks` may be passed when already computed.
 */
export function minCllr(groups: TrialGroups, blocks: PavBlocks = pavBlocks(groups)): number {
  const logPriorOdds = Math.log(groups.nTarget / groups.nNontarget);
  let targetBits = 0;
  let nontargetBits = 0;
  for (let b = 0; b < blocks.count; b++) {
    const tar = blocks.targets[b];
    const non = blocks.nontargets[b];
    if (tar === 0 || non === 0) continue;
    const llr = Math.log(tar / non) - logPriorOdds;
    targetBits += tar * softplus(-llr);
    nontargetBits += non * softplus(llr);
  }
  return (targetBits / groups.nTarget + nontargetBits / groups.nNontarget) / (2 * Math.LN2);
}
