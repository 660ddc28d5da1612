import { groupTrials, regroup, type Labels, type TrialGroups } from "./trials.ts";
import { mulberry32 } from "../core/random.ts";

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

/** The q-quantile of ascending values, linearly interpolated between order statistics. */
export function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

/**
 * Draws as many trials of one class as it has, with replacement, and counts the draws per score
 * group into `out`. Trials are numbered in group order (group g owns the next counts[g] numbers),
 * so the draws scatter into one per-trial array and are then summed in a single linear pass.
 */
function resampleCounts(counts: Uint32Array, drawnPerTrial: Uint32Array, out: Uint32Array, random: () => number): void {
  const total = drawnPerTrial.length;
  drawnPerTrial.fill(0);
  for (let k = 0; k < total; k++) drawnPerTrial[(random() * total) >>> 0]++;
  for (let g = 0, k = 0; g < counts.length; g++) {
    let sum = 0;
    for (const end = k + counts[g]; k < end; k++) sum += drawnPerTrial[k];
    out[g] = sum;
  }
}

/**
 * Percentile bootstrap interval of a metric (e.g. `eer`, or `(g) => minDcf(g, { pTarget: 0.01 }).value`).
 * Stratified: each resample draws N_tar targets and N_non non-targets with replacement, so both
 * classes keep their sizes. The resampled trials stay grouped by score, so one draw costs O(n).
 */
export function bootstrapCi(
  scores: ArrayLike<number>,
  labels: Labels,
  metric: (groups: TrialGroups) => number,
  { iterations = 1000, confidence = 0.95, seed = 0 }: BootstrapOptions = {},
): ConfidenceInterval {
  if (!(Number.isInteger(iterations) && iterations >= 1)) throw new RangeError(`iterations must be a positive integer, got ${iterations}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const groups = groupTrials(scores, labels);
  const drawnTargets = new Uint32Array(groups.nTarget);
  const drawnNontargets = new Uint32Array(groups.nNontarget);
  const targets = new Uint32Array(groups.scores.length);
  const nontargets = new Uint32Array(groups.scores.length);
  const random = mulberry32(seed);
  const values = new Float64Array(iterations);
  for (let it = 0; it < iterations; it++) {
    resampleCounts(groups.targets, drawnTargets, targets, random);
    resampleCounts(groups.nontargets, drawnNontargets, nontargets, random);
    values[it] = metric(regroup(groups, targets, nontargets));
  }
  values.sort();
  const tail = (1 - confidence) / 2;
  return { estimate: metric(groups), lower: quantile(values, tail), upper: quantile(values, 1 - tail), confidence, iterations };
}
