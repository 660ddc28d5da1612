import { pavBlocks, type PavBlocks } from "./pav.ts";
import { operatingPoints, type OperatingPoints, type TrialGroups } from "./trials.ts";

/**
 * Equal error rate where the piecewise-linear curve through the operating points (in threshold
 * order) crosses Pmiss = Pfa: the first point with Pmiss - Pfa >= 0, interpolated linearly from the
 * point before it unless it is an exact crossing.
 */
export function eerFromPoints(points: OperatingPoints): number {
  const { pmiss, pfa } = points;
  // Point 0 has Pmiss - Pfa = -1 and the last (reject-all) +1, so i >= 1 always exists.
  for (let i = 1; i < pmiss.length; i++) {
    const after = pmiss[i] - pfa[i];
    if (after < 0) continue;
    if (after === 0) return pmiss[i];
    const before = pmiss[i - 1] - pfa[i - 1];
    const fraction = -before / (after - before);
    return pmiss[i - 1] + fraction * (pmiss[i] - pmiss[i - 1]);
  }
  throw new Error("unreachable: the reject-all point always has Pmiss > Pfa");
}

export function eer(groups: TrialGroups): number {
  return eerFromPoints(operatingPoints(groups));
}

/**
 * ROCCH-EER (BOSARIS): the EER of the ROC convex hull. The hull vertices are the (Pfa, Pmiss)
 * points between PAV blocks; for each hull segment the line through its ends meets Pmiss = Pfa at
 * 1 / sum(seg), where seg solves [pfa_k pmiss_k; pfa_k+1 pmiss_k+1] · seg = [1 1]. A segment with
 * equal Pfa or equal Pmiss counts 0. Never more than `eer`. `blocks` may be passed when already computed.
 */
export function rocchEer(groups: TrialGroups, blocks: PavBlocks = pavBlocks(groups)): number {
  let best = 0;
  let pfa = 1;
  let pmiss = 0;
  let missed = 0;
  let rejectedNon = 0;
  for (let b = 0; b < blocks.count; b++) {
    missed += blocks.targets[b];
    rejectedNon += blocks.nontargets[b];
    const nextPfa = (groups.nNontarget - rejectedNon) / groups.nNontarget;
    const nextPmiss = missed / groups.nTarget;
    if (pfa !== nextPfa && pmiss !== nextPmiss) {
      // Cramer's rule: sum(seg) = (pfa - nextPfa + nextPmiss - pmiss) / det.
      const det = pfa * nextPmiss - pmiss * nextPfa;
      best = Math.max(best, det / (pfa - nextPfa + nextPmiss - pmiss));
    }
    pfa = nextPfa;
    pmiss = nextPmiss;
  }
  return best;
}
