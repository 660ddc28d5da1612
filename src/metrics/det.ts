import { eerFromPoints } from "./eer.ts";
import { operatingPoints, type OperatingPoints, type TrialGroups } from "./trials.ts";

/** Evaluates a polynomial with coefficients in ascending order of power (Horner). */
function poly(coefficients: readonly number[], x: number): number {
  let sum = 0;
  for (let k = coefficients.length - 1; k >= 0; k--) sum = sum * x + coefficients[k];
  return sum;
}

// Wichura (1988), Algorithm AS 241 (PPND16): rational approximations accurate to about 1e-16
// (the published coefficients, rounded to the nearest double).
// Central region |p - 0.5| <= 0.425, in r = 0.180625 - q².
const CENTRAL_NUM = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946,
  45921.95393154987, 67265.7709270087, 33430.57558358813, 2509.0809287301227,
];
const CENTRAL_DEN = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597,
  39307.89580009271, 28729.085735721943, 5226.495278852854,
];
// Intermediate tails, r = sqrt(-log(min(p, 1-p))) - 1.6 for r <= 5.
const NEAR_NUM = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045,
  1.2704582524523684, 0.2417807251774506, 0.022723844989269184, 0.0007745450142783414,
];
const NEAR_DEN = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008,
  0.015198666563616457, 0.0005475938084995345, 1.0507500716444169e-9,
];
// Far tails, r = sqrt(-log(min(p, 1-p))) - 5.
const FAR_NUM = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487,
  0.026532189526576124, 0.0012426609473880784, 2.7115555687434876e-5, 2.0103343992922881e-7,
];
const FAR_DEN = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
  1.8463183175100548e-5, 1.421511758316446e-7, 2.0442631033899397e-15,
];

/** The standard normal quantile Φ⁻¹(p) (probit); -inf at 0, +inf at 1, NaN outside [0, 1]. */
export function probit(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(CENTRAL_NUM, r)) / poly(CENTRAL_DEN, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x = poly(NEAR_NUM, r) / poly(NEAR_DEN, r);
  } else {
    r -= 5;
    x = poly(FAR_NUM, r) / poly(FAR_DEN, r);
  }
  return q < 0 ? -x : x;
}

/** A DET curve: the operating points as rates and on probit axes (±inf at rates 0 and 1). */
export interface DetCurve {
  thresholds: Float64Array;
  pfa: Float64Array;
  pmiss: Float64Array;
  probitPfa: Float64Array;
  probitPmiss: Float64Array;
  /** The EER point, Pfa = Pmiss = eer, to mark on the plot. */
  eer: number;
}

export function detCurve(groups: TrialGroups): DetCurve {
  const points = operatingPoints(groups);
  return {
    ...points,
    probitPfa: points.pfa.map(probit),
    probitPmiss: points.pmiss.map(probit),
    eer: eerFromPoints(points),
  };
}

const DET_TICKS = [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4];

/**
 * DET axis ticks (as rates) for an axis estimated from `trials` trials: 0.1 %–40 % always, and
 * the finer 0.01 %–0.05 % ticks only where one trial is no more than that rate.
 */
export function detTicks(trials: number): number[] {
  return DET_TICKS.filter((tick) => tick >= 0.001 || tick * trials >= 1);
}

/** An operating point chosen for a target error rate. */
export interface ThresholdChoice {
  /** Accept trials scoring >= threshold; +Infinity = reject all. */
  threshold: number;
  pfa: number;
  pmiss: number;
}

function choice(points: OperatingPoints, i: number): ThresholdChoice {
  return { threshold: points.thresholds[i], pfa: points.pfa[i], pmiss: points.pmiss[i] };
}

function checkRate(rate: number, name: string): void {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${rate}`);
}

/** The lowest threshold whose false-accept rate is at most `far` (the fewest misses under that FAR). */
export function thresholdAtFalseAcceptRate(groups: TrialGroups, far: number): ThresholdChoice {
  checkRate(far, "far");
  const points = operatingPoints(groups);
  // Pfa falls with the threshold and the reject-all point has Pfa 0, so a match exists.
  let i = 0;
  while (points.pfa[i] > far) i++;
  return choice(points, i);
}

/** The highest threshold whose false-reject rate is at most `frr` (the fewest false accepts under that FRR). */
export function thresholdAtFalseRejectRate(groups: TrialGroups, frr: number): ThresholdChoice {
  checkRate(frr, "frr");
  const points = operatingPoints(groups);
  // Pmiss rises with the threshold and point 0 has Pmiss 0, so a match exists.
  let i = points.pmiss.length - 1;
  while (points.pmiss[i] > frr) i--;
  return choice(points, i);
}
