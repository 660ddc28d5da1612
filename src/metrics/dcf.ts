import { operatingPoints, type OperatingPoints, type TrialGroups } from "./trials.ts";

/** A detection cost function: prior of a target trial and the costs of a miss and a false alarm. */
export interface DcfCost {
  pTarget: number;
  cMiss?: number;
  cFa?: number;
}

interface ResolvedCost {
  weightMiss: number;
  weightFa: number;
  normaliser: number;
}

function resolveCost({ pTarget, cMiss = 1, cFa = 1 }: DcfCost): ResolvedCost {
  if (!(pTarget > 0 && pTarget < 1)) throw new RangeError(`pTarget must be in (0, 1), got ${pTarget}`);
  if (!(cMiss > 0 && cFa > 0)) throw new RangeError(`cMiss and cFa must be positive, got ${cMiss} and ${cFa}`);
  const weightMiss = cMiss * pTarget;
  const weightFa = cFa * (1 - pTarget);
  // The cost of the better of accept-all and reject-all: normalised DCFs are at most 1.
  return { weightMiss, weightFa, normaliser: Math.min(weightMiss, weightFa) };
}

export interface DcfAtThreshold {
  /** Normalised detection cost. */
  value: number;
  /** Trials scoring >= threshold are accepted; +Infinity = reject all. */
  threshold: number;
}

/** Normalised minimum DCF over the operating points; ties go to the lowest threshold. */
export function minDcfFromPoints(points: OperatingPoints, cost: DcfCost): DcfAtThreshold {
  const { weightMiss, weightFa, normaliser } = resolveCost(cost);
  let best = Infinity;
  let threshold = Infinity;
  for (let i = 0; i < points.pmiss.length; i++) {
    const value = (weightMiss * points.pmiss[i] + weightFa * points.pfa[i]) / normaliser;
    if (value < best) {
      best = value;
      threshold = points.thresholds[i];
    }
  }
  return { value: best, threshold };
}

export function minDcf(groups: TrialGroups, cost: DcfCost): DcfAtThreshold {
  return minDcfFromPoints(operatingPoints(groups), cost);
}

/** The Bayes decision threshold for calibrated log-likelihood-ratio scores: log(Cfa(1-P) / (Cmiss P)). */
export function bayesThreshold(cost: DcfCost): number {
  const { weightMiss, weightFa } = resolveCost(cost);
  return Math.log(weightFa / weightMiss);
}

/** Index of the first group with score >= threshold (groups.scores.length when none). */
function firstAtOrAbove(scores: Float64Array, threshold: number): number {
  let lo = 0;
  let hi = scores.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (scores[mid] < threshold) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Normalised DCF of the decisions made at a fixed threshold (accept score >= threshold); by default
 * the Bayes threshold, which is right only for calibrated LLR scores.
 */
export function actualDcf(groups: TrialGroups, cost: DcfCost, threshold = bayesThreshold(cost)): DcfAtThreshold {
  const { weightMiss, weightFa, normaliser } = resolveCost(cost);
  const end = firstAtOrAbove(groups.scores, threshold);
  let missed = 0;
  let rejectedNon = 0;
  for (let g = 0; g < end; g++) {
    missed += groups.targets[g];
    rejectedNon += groups.nontargets[g];
  }
  const pmiss = missed / groups.nTarget;
  const pfa = (groups.nNontarget - rejectedNon) / groups.nNontarget;
  return { value: (weightMiss * pmiss + weightFa * pfa) / normaliser, threshold };
}
