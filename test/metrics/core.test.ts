import assert from "node:assert/strict";
import { test } from "node:test";
import {
  actualDcf,
  bayesThreshold,
  bootstrapCi,
  cllr,
  detCurve,
  detTicks,
  eer,
  groupTrials,
  minCllr,
  minDcf,
  probit,
  rocchEer,
  thresholdAtFalseAcceptRate,
  thresholdAtFalseRejectRate,
  VoxlabError,
  type TrialGroups,
} from "../../src/index.ts";
import { mulberry32 } from "../../src/core/random.ts";

function close(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

/** Gaussian trials: targets ~ N(separation, 1), non-targets ~ N(0, 1), optionally rounded to force ties. */
function gaussianTrials(nTarget: number, nNontarget: number, separation: number, seed: number, step = 0): { scores: Float64Array; labels: Uint8Array } {
  const random = mulberry32(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const scores = new Float64Array(nTarget + nNontarget);
  const labels = new Uint8Array(nTarget + nNontarget);
  for (let i = 0; i < scores.length; i++) {
    labels[i] = i < nTarget ? 1 : 0;
    const s = normal() + (labels[i] ? separation : 0);
    scores[i] = step > 0 ? Math.round(s / step) * step : s;
  }
  return { scores, labels };
}

/** O(n²) operating points straight from the definitions: Pmiss(t) = P(tar < t), Pfa(t) = P(non >= t). */
function bruteForcePoints(scores: Float64Array, labels: Uint8Array): { pfa: number[]; pmiss: number[]; thresholds: number[] } {
  const thresholds = [...new Set(scores)].sort((a, b) => a - b).concat(Infinity);
  const nTarget = labels.reduce((a, b) => a + b, 0);
  const nNontarget = labels.length - nTarget;
  const pmiss = thresholds.map((t) => labels.filter((l, i) => l === 1 && scores[i] < t).length / nTarget);
  const pfa = thresholds.map((t) => labels.filter((l, i) => l === 0 && scores[i] >= t).length / nNontarget);
  return { pfa, pmiss, thresholds };
}

/** Where a polyline (monotone in pmiss - pfa) meets pmiss = pfa, by bisection on its arc parameter (brentq-style). */
function diagonalCrossing(pfa: number[], pmiss: number[]): number {
  const at = (s: number): [number, number] => {
    const k = Math.min(Math.floor(s), pfa.length - 2);
    const f = s - k;
    return [pfa[k] + f * (pfa[k + 1] - pfa[k]), pmiss[k] + f * (pmiss[k + 1] - pmiss[k])];
  };
  let lo = 0;
  let hi = pfa.length - 1;
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    const [x, y] = at(mid);
    if (y - x < 0) lo = mid;
    else hi = mid;
  }
  return at(hi)[1];
}

/** The lower-left convex hull of ROC points (pfa, pmiss) by Andrew's monotone chain, from pfa = 1 down to 0. */
function lowerHull(pfa: number[], pmiss: number[]): { pfa: number[]; pmiss: number[] } {
  const points = pfa.map((x, i) => [x, pmiss[i]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const hull: (readonly [number, number])[] = [];
  for (const p of points) {
    while (hull.length >= 2) {
      const [a, b] = [hull[hull.length - 2], hull[hull.length - 1]];
      const cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
      if (cross > 0) break;
      hull.pop();
    }
    hull.push(p);
  }
  hull.reverse();
  return { pfa: hull.map((p) => p[0]), pmiss: hull.map((p) => p[1]) };
}

// Hand case: target scores [0.5], non-target scores [0.9, 0.3, 0.1].
// Operating points (t: Pmiss, Pfa): 0.1: (0, 1); 0.3: (0, 2/3); 0.5: (0, 1/3); 0.9: (1, 1/3); +inf: (1, 0).
// EER: first Pmiss - Pfa >= 0 is at 0.9 (+2/3), before it 0.5 (-1/3): fraction 1/3 of the way,
//   Pmiss = 0 + (1/3)(1 - 0) = 1/3.
// ROCCH: labels by score 0,0,1,0 -> PAV blocks [0,0] and [1,0]: hull (1,0) -> (1/3,0) -> (0,1); the
//   segment (1/3,0)-(0,1) is pmiss = 1 - 3 pfa, which meets the diagonal at 1/4.
// minDCF p=0.05: Pmiss + 19 Pfa = 19, 12.67, 6.33, 7.33, 1 -> 1 at reject-all (+inf).
// minDCF p=0.5: Pmiss + Pfa = 1, 2/3, 1/3, 4/3, 1 -> 1/3 at t = 0.5.
// minCllr: block [1,0] has posterior 1/2, llr = log(1) - log(1/3) = log 3; the pure block adds 0:
//   target log2(1 + 1/3) / 1, non-target log2(1 + 3) / 3 -> (log2(4/3) + 2/3) / 2.
const HAND = groupTrials(Float64Array.from([0.5, 0.9, 0.3, 0.1]), Uint8Array.from([1, 0, 0, 0]));

test("metrics: hand-computed four-trial case", () => {
  close(eer(HAND), 1 / 3, 1e-15, "eer");
  close(rocchEer(HAND), 1 / 4, 1e-15, "rocch eer");
  assert.deepEqual(minDcf(HAND, { pTarget: 0.05 }), { value: 1, threshold: Infinity });
  const dcfHalf = minDcf(HAND, { pTarget: 0.5 });
  close(dcfHalf.value, 1 / 3, 1e-15, "minDCF p=0.5");
  assert.equal(dcfHalf.threshold, 0.5);
  close(minCllr(HAND), (Math.log2(4 / 3) + 2 / 3) / 2, 1e-15, "minCllr");
});

test("metrics: an exact crossing gives Pmiss there, without interpolation", () => {
  // tar [0.8, 0.4], non [0.6, 0.2]: at t = 0.6, Pmiss = Pfa = 1/2.
  const groups = groupTrials([0.8, 0.4, 0.6, 0.2], [true, true, false, false]);
  assert.equal(eer(groups), 0.5);
});

test("metrics: tied scores are never split", () => {
  // All four trials tie: the only points are accept-all (0, 1) and reject-all (1, 0), so EER = 1/2.
  const groups = groupTrials([1, 1, 1, 1], [1, 0, 1, 0]);
  assert.equal(groups.scores.length, 1);
  assert.equal(eer(groups), 0.5);
  assert.equal(rocchEer(groups), 0.5);
  assert.equal(minCllr(groups), 1);
});

test("metrics: eer equals a brute-force O(n²) curve crossed by bisection (no ties: the roc_curve+brentq value)", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const { scores, labels } = gaussianTrials(40 + seed * 7, 150 - seed * 11, 1.2, seed);
    const points = bruteForcePoints(scores, labels);
    close(eer(groupTrials(scores, labels)), diagonalCrossing(points.pfa, points.pmiss), 1e-12, `seed ${seed}`);
  }
});

test("metrics: minDCF equals a brute-force minimum over the operating points", () => {
  const { scores, labels } = gaussianTrials(60, 400, 2, 9, 0.25);
  const points = bruteForcePoints(scores, labels);
  for (const pTarget of [0.01, 0.05, 0.3]) {
    const costs = points.pmiss.map((pm, i) => (pTarget * pm + (1 - pTarget) * points.pfa[i]) / Math.min(pTarget, 1 - pTarget));
    const best = Math.min(...costs);
    const got = minDcf(groupTrials(scores, labels), { pTarget });
    close(got.value, best, 1e-12, `p=${pTarget}`);
    assert.equal(got.threshold, points.thresholds[costs.indexOf(best)]);
    assert.ok(got.value <= 1);
  }
});

test("metrics: rocchEer is the brute-force hull's diagonal crossing and never above eer, with and without ties", () => {
  for (const [seed, step] of [[11, 0], [12, 0], [13, 0.5], [14, 0.2], [15, 1]]) {
    const { scores, labels } = gaussianTrials(30 + seed, 120, 1, seed, step);
    const groups = groupTrials(scores, labels);
    const points = bruteForcePoints(scores, labels);
    const hull = lowerHull(points.pfa, points.pmiss);
    close(rocchEer(groups), diagonalCrossing(hull.pfa, hull.pmiss), 1e-12, `seed ${seed}`);
    assert.ok(rocchEer(groups) <= eer(groups) + 1e-15, `seed ${seed}`);
  }
});

test("metrics: cllr of known LLRs; minCllr never above cllr", () => {
  // All-zero LLRs carry no information: exactly 1 bit.
  close(cllr(groupTrials([0, 0, 0], [1, 0, 0])), 1, 1e-15, "zero llrs");
  // Targets at +ln 3 and non-targets at -ln 3: each term is log2(1 + 1/3).
  close(cllr(groupTrials([Math.log(3), -Math.log(3)], [1, 0])), Math.log2(4 / 3), 1e-15, "±ln 3");
  for (const seed of [21, 22, 23]) {
    const { scores, labels } = gaussianTrials(100, 300, 1.5, seed);
    const groups = groupTrials(scores, labels);
    assert.ok(minCllr(groups) <= cllr(groups), `seed ${seed}`);
  }
});

test("metrics: actual DCF at the Bayes threshold and at a given threshold", () => {
  close(bayesThreshold({ pTarget: 0.01 }), Math.log(99), 1e-15, "Bayes threshold");
  // At ln 99 = 4.595: the target at 4 is missed, the non-target at 4.6 accepted: (0.01·½ + 0.99·½) / 0.01 = 50.
  const groups = groupTrials([5, 4, 4.6, -1], [1, 1, 0, 0]);
  close(actualDcf(groups, { pTarget: 0.01 }).value, 50, 1e-12, "actDCF");
  // At t = 4.6 the non-target scoring exactly 4.6 is accepted (score >= t): still 50.
  close(actualDcf(groups, { pTarget: 0.01 }, 4.6).value, 50, 1e-12, "actDCF at 4.6");
  // At t = 4.7 only the target at 4 is missed: 0.01·½ / 0.01.
  close(actualDcf(groups, { pTarget: 0.01 }, 4.7).value, 0.5, 1e-15, "actDCF at 4.7");
});

test("metrics: thresholds for a target false-accept or false-reject rate", () => {
  assert.deepEqual(thresholdAtFalseAcceptRate(HAND, 0.4), { threshold: 0.5, pfa: 1 / 3, pmiss: 0 });
  assert.deepEqual(thresholdAtFalseAcceptRate(HAND, 0), { threshold: Infinity, pfa: 0, pmiss: 1 });
  assert.deepEqual(thresholdAtFalseRejectRate(HAND, 0), { threshold: 0.5, pfa: 1 / 3, pmiss: 0 });
  assert.deepEqual(thresholdAtFalseRejectRate(HAND, 1), { threshold: Infinity, pfa: 0, pmiss: 1 });
  assert.throws(() => thresholdAtFalseAcceptRate(HAND, 1.5), RangeError);
});

test("metrics: probit matches known normal quantiles", () => {
  const known: [number, number][] = [
    [0.5, 0],
    [0.8413447460685429, 1], // Φ(1)
    [0.9, 1.2815515655446004],
    [0.975, 1.959963984540054],
    [0.99, 2.3263478740408408],
    [0.999, 3.090232306167813],
    [0.02275013194817921, -2], // Φ(-2)
    [1e-10, -6.361340902404056],
  ];
  for (const [p, z] of known) close(probit(p), z, 2e-15 * Math.max(1, Math.abs(z)), `probit(${p})`);
  close(probit(0.3) + probit(0.7), 0, 1e-15, "symmetry");
  assert.equal(probit(0), -Infinity);
  assert.equal(probit(1), Infinity);
  assert.ok(Number.isNaN(probit(1.2)));
});

test("metrics: DET curve points, probit axes and ticks", () => {
  const det = detCurve(HAND);
  assert.deepEqual(Array.from(det.pfa), [1, 2 / 3, 1 / 3, 1 / 3, 0]);
  assert.deepEqual(Array.from(det.pmiss), [0, 0, 0, 1, 1]);
  assert.equal(det.probitPfa[2], probit(1 / 3));
  assert.equal(det.probitPmiss[0], -Infinity);
  close(det.eer, 1 / 3, 1e-15, "det eer");
  assert.deepEqual(detTicks(500), [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4]);
  assert.deepEqual(detTicks(20000).slice(0, 4), [0.0001, 0.0002, 0.0005, 0.001]);
});

test("metrics: bad input is a one-line VoxlabError", () => {
  const cases: [ArrayLike<number>, ArrayLike<number>, RegExp][] = [
    [[], [], /x\.csv: no trials/],
    [[1, 2], [1, 1], /x\.csv: no non-target trials/],
    [[1, 2], [0, 0], /x\.csv: no target trials/],
    [[1, NaN], [1, 0], /x\.csv: score of trial 2 is NaN/],
    [[1, 2], [1, 2], /x\.csv: label of trial 2 is 2/],
    [[1, 2], [1], /x\.csv: 2 scores but 1 labels/],
  ];
  for (const [scores, labels, message] of cases) {
    assert.throws(() => groupTrials(scores, labels, "x.csv"), (err: Error) => err instanceof VoxlabError && message.test(err.message) && !err.message.includes("\n"));
  }
});

test("bootstrap: stratified, seeded, and covers the true EER of two unit normals", () => {
  // Targets N(2, 1), non-targets N(0, 1): the EER threshold is 1, so EER = Φ(-1) = 0.15865525393145707.
  const { scores, labels } = gaussianTrials(1500, 1500, 2, 31);
  const sizes = new Set<string>();
  const ci = bootstrapCi(scores, labels, (g: TrialGroups) => {
    sizes.add(`${g.nTarget}/${g.nNontarget}`);
    return eer(g);
  }, { iterations: 300, seed: 7 });
  assert.deepEqual([...sizes], ["1500/1500"]);
  assert.ok(ci.lower < 0.15865525393145707 && 0.15865525393145707 < ci.upper, `[${ci.lower}, ${ci.upper}]`);
  assert.ok(ci.lower <= ci.estimate && ci.estimate <= ci.upper);
  // The binomial standard error near n = 1500 per class is about 0.007: a 95 % interval some 0.02–0.04 wide.
  assert.ok(ci.upper - ci.lower > 0.01 && ci.upper - ci.lower < 0.06, `width ${ci.upper - ci.lower}`);
  const again = bootstrapCi(scores, labels, eer, { iterations: 300, seed: 7 });
  const other = bootstrapCi(scores, labels, eer, { iterations: 300, seed: 8 });
  assert.deepEqual([again.lower, again.upper], [ci.lower, ci.upper]);
  assert.notDeepEqual([other.lower, other.upper], [ci.lower, ci.upper]);
  const dcf = bootstrapCi(scores, labels, (g) => minDcf(g, { pTarget: 0.01 }).value, { iterations: 100, confidence: 0.9 });
  assert.ok(dcf.lower <= dcf.estimate && dcf.estimate <= dcf.upper && dcf.upper <= 1);
});

test("bootstrap: the seeded generator is uniform on [0, 1)", () => {
  const random = mulberry32(123);
  const bins = new Array<number>(10).fill(0);
  for (let i = 0; i < 100000; i++) {
    const u = random();
    assert.ok(u >= 0 && u < 1);
    bins[Math.floor(u * 10)]++;
  }
  // Each bin expects 10000 ± 95 (one standard deviation).
  for (const count of bins) assert.ok(Math.abs(count - 10000) < 500, `bin count ${count}`);
});
