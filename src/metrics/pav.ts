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

export function pavBlocks(groups: TrialGroups): PavBlocks {
  const targets = new Float64Array(groups.scores.length);
  const nontargets = new Float64Array(groups.scores.length);
  let count = 0;
  for (let g = 0; g < groups.scores.length; g++) {
    targets[count] = groups.targets[g];
    nontargets[count] = groups.nontargets[g];
    count++;
    // Compare posteriors t1/(t1+n1) >= t2/(t2+n2) by cross-multiplying integer counts: exact.
    while (
      count > 1 &&
      targets[count - 2] * (targets[count - 1] + nontargets[count - 1]) >= targets[count - 1] * (targets[count - 2] + nontargets[count - 2])
    ) {
      targets[count - 2] += targets[count - 1];
      nontargets[count - 2] += nontargets[count - 1];
      count--;
    }
  }
  return { targets, nontargets, count };
}
