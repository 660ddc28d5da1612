// An independent reference for the calibration tests, written from the definitions in
// docs/calibration-metrics.md (= ../shared/METRICS.md's linear calibration) by a different method than the
// library: the library runs Newton's method on grouped trials; this bisects the gradient of the
// criterion trial by trial. The profile of a convex function is convex, so for the scale a the
// derivative ∂C/∂a at (a, b*(a)) (b*(a) the offset minimising C for that a, found by bisecting ∂C/∂b) is
// monotone in a and crosses zero at the minimum (envelope theorem): two nested bisections find it to
// rounding level with no step sizes, line searches or matrix algebra.

interface Trials {
  scores: ArrayLike<number>;
  labels: ArrayLike<number>;
}

const sigma = (x: number): number => 1 / (1 + Math.exp(-x));

/** ∂C/∂a and ∂C/∂b of C(a, b) = π mean_tar softplus(−(a s + b + logit π)) + (1−π) mean_non softplus(a s + b + logit π). */
function gradient({ scores, labels }: Trials, prior: number, a: number, b: number): [number, number] {
  let nTar = 0;
  for (let i = 0; i < labels.length; i++) nTar += labels[i];
  const nNon = labels.length - nTar;
  const priorLogOdds = Math.log(prior / (1 - prior));
  let da = 0;
  let db = 0;
  for (let i = 0; i < scores.length; i++) {
    const z = a * scores[i] + b + priorLogOdds;
    // d/dz softplus(−z) = −σ(−z); d/dz softplus(z) = σ(z).
    const dz = labels[i] === 1 ? (-prior / nTar) * sigma(-z) : ((1 - prior) / nNon) * sigma(z);
    da += dz * scores[i];
    db += dz;
  }
  return [da, db];
}

/** The root of an increasing function by bisection, after widening [lo, hi] until it brackets a sign change. */
function bisect(f: (x: number) => number, lo: number, hi: number): number {
  while (f(lo) > 0) lo -= 2 * (hi - lo);
  while (f(hi) < 0) hi += 2 * (hi - lo);
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    if (f(mid) < 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The (scale, offset) minimising the prior-weighted cross-entropy at `prior`. */
export function referenceLinearCalibration(trials: Trials, prior: number): { scale: number; offset: number } {
  const offsetFor = (a: number): number => bisect((b) => gradient(trials, prior, a, b)[1], -1, 1);
  const scale = bisect((a) => gradient(trials, prior, a, offsetFor(a))[0], 0, 1);
  return { scale, offset: offsetFor(scale) };
}

/** Cllr of LLRs straight from the definition: (mean log2(1+e^−l) over targets + mean log2(1+e^l) over non-targets)/2. */
export function referenceCllr({ scores, labels }: Trials): number {
  let tar = 0;
  let non = 0;
  let nTar = 0;
  for (let i = 0; i < scores.length; i++) {
    const l = scores[i];
    if (labels[i] === 1) {
      nTar++;
      tar += l > 0 ? Math.log1p(Math.exp(-l)) : -l + Math.log1p(Math.exp(l));
    } else {
      non += l < 0 ? Math.log1p(Math.exp(l)) : l + Math.log1p(Math.exp(-l));
    }
  }
  return (tar / nTar + non / (scores.length - nTar)) / 2 / Math.LN2;
}

/** Normalised DCF of the decisions "accept if llr ≥ log((1−P)/P)", by counting trials (Cmiss = Cfa = 1). */
export function referenceActualDcf({ scores, labels }: Trials, pTarget: number): number {
  const threshold = Math.log((1 - pTarget) / pTarget);
  let misses = 0;
  let falseAlarms = 0;
  let nTar = 0;
  for (let i = 0; i < scores.length; i++) {
    const accept = scores[i] >= threshold;
    if (labels[i] === 1) {
      nTar++;
      if (!accept) misses++;
    } else if (accept) falseAlarms++;
  }
  const nNon = scores.length - nTar;
  return (pTarget * (misses / nTar) + (1 - pTarget) * (falseAlarms / nNon)) / Math.min(pTarget, 1 - pTarget);
}
