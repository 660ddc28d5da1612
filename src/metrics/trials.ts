import { VoxlabError } from "../core/errors.ts";

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

function labelValue(label: number | boolean, index: number, source: string): 0 | 1 {
  if (label === 1 || label === true) return 1;
  if (label === 0 || label === false) return 0;
  throw new VoxlabError(`${source}: label of trial ${index + 1} is ${String(label)}; expected 0 (non-target) or 1 (target)`);
}

/** Validates the trials and groups them by score: O(n log n), one native sort per class. */
export function groupTrials(scores: ArrayLike<number>, labels: Labels, source = "scores"): TrialGroups {
  if (scores.length !== labels.length) {
    throw new VoxlabError(`${source}: ${scores.length} scores but ${labels.length} labels`);
  }
  if (scores.length === 0) throw new VoxlabError(`${source}: no trials`);
  let nTarget = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) {
      throw new VoxlabError(`${source}: score of trial ${i + 1} is ${scores[i]}; scores must be finite numbers`);
    }
    nTarget += labelValue(labels[i], i, source);
  }
  const nNontarget = scores.length - nTarget;
  if (nTarget === 0) throw new VoxlabError(`${source}: no target trials (label 1); metrics need both classes`);
  if (nNontarget === 0) throw new VoxlabError(`${source}: no non-target trials (label 0); metrics need both classes`);

  const tar = new Float64Array(nTarget);
  const non = new Float64Array(nNontarget);
  for (let i = 0, t = 0, n = 0; i < scores.length; i++) {
    if (labels[i] === 1 || labels[i] === true) tar[t++] = scores[i];
    else non[n++] = scores[i];
  }
  tar.sort();
  non.sort();
  return mergeSorted(tar, non);
}

/** Merges two ascending score lists into groups of equal scores. */
function mergeSorted(tar: Float64Array, non: Float64Array): TrialGroups {
  const values = new Float64Array(tar.length + non.length);
  const targets = new Uint32Array(values.length);
  const nontargets = new Uint32Array(values.length);
  let g = -1;
  let t = 0;
  let n = 0;
  while (t < tar.length || n < non.length) {
    const isTarget = n >= non.length || (t < tar.length && tar[t] <= non[n]);
    const s = isTarget ? tar[t++] : non[n++];
    if (g < 0 || s !== values[g]) values[++g] = s;
    if (isTarget) targets[g]++;
    else nontargets[g]++;
  }
  return {
    scores: values.slice(0, g + 1),
    targets: targets.slice(0, g + 1),
    nontargets: nontargets.slice(0, g + 1),
    nTarget: tar.length,
    nNontarget: non.length,
  };
}

/** The same score groups with new counts (a bootstrap draw); groups left empty are dropped. */
export function regroup(groups: TrialGroups, targets: Uint32Array, nontargets: Uint32Array): TrialGroups {
  let kept = 0;
  let nTarget = 0;
  let nNontarget = 0;
  for (let g = 0; g < groups.scores.length; g++) {
    if (targets[g] + nontargets[g] > 0) kept++;
    nTarget += targets[g];
    nNontarget += nontargets[g];
  }
  const out = { scores: new Float64Array(kept), targets: new Uint32Array(kept), nontargets: new Uint32Array(kept), nTarget, nNontarget };
  for (let g = 0, k = 0; g < groups.scores.length; g++) {
    if (targets[g] + nontargets[g] === 0) continue;
    out.scores[k] = groups.scores[g];
    out.targets[k] = targets[g];
    out.nontargets[k] = nontargets[g];
    k++;
  }
  return out;
}

/**
 * Operating points at the unique thresholds, ascending, plus reject-all (t = +inf) last.
 * A trial is accepted when score >= t: point 0 accepts everything (Pmiss 0, Pfa 1).
 */
export interface OperatingPoints {
  readonly thresholds: Float64Array;
  readonly pmiss: Float64Array;
  readonly pfa: Float64Array;
}

export function operatingPoints(groups: TrialGroups): OperatingPoints {
  const count = groups.scores.length + 1;
  const thresholds = new Float64Array(count);
  const pmiss = new Float64Array(count);
  const pfa = new Float64Array(count);
  let missed = 0;
  let rejectedNon = 0;
  for (let i = 0; i < count; i++) {
    thresholds[i] = i < groups.scores.length ? groups.scores[i] : Infinity;
    // Counts stay integers, so each rate is the exactly rounded fraction.
    pmiss[i] = missed / groups.nTarget;
    pfa[i] = (groups.nNontarget - rejectedNon) / groups.nNontarget;
    if (i < groups.scores.length) {
      missed += groups.targets[i];
      rejectedNon += groups.nontargets[i];
    }
  }
  return { thresholds, pmiss, pfa };
}
