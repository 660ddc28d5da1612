// Prior-weighted logistic regression: the training criterion of BOSARIS's train_linear_calibration.
import { VoxlabError } from "../core/errors.ts";
import { softplus } from "../metrics/cllr.ts";

/** 1 / (1 + e^-x) without overflow. */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** log(p / (1 - p)). */
export function logit(p: number): number {
  return Math.log(p) - Math.log1p(-p);
}

/** Training trials as rows of features (the last column is the constant 1 for the offset) and labels. */
export interface LogisticProblem {
  /** Row-major, `rows × columns`. */
  features: Float64Array;
  columns: number;
  /** 1 = target, 0 = non-target, one per row. */
  labels: Uint8Array;
  /** The effective target prior π the cross-entropy is weighted at, in (0, 1). */
  prior: number;
}

export interface LogisticFit {
  /** One weight per feature column. */
  weights: Float64Array;
  /** The objective at the weights (nats per weighted trial). */
  objective: number;
  iterations: number;
}

const MAX_ITERATIONS = 100;

/**
 * The weights w minimising the prior-weighted cross-entropy
 *   C(w) = π/N_tar · Σ_tar softplus(−(w·x + logit π)) + (1−π)/N_non · Σ_non softplus(w·x + logit π),
 * so that w·x is a log-likelihood ratio (the prior's log-odds logit π is added only inside the
 * criterion). C is convex; Newton's method with a backtracking line search reaches the minimum to
 * machine precision in a few steps. Classes that a linear rule separates have no finite minimum:
 * the weights then grow without bound and this throws.
 */
export function fitPriorWeightedLogistic({ features, columns, labels, prior }: LogisticProblem): LogisticFit {
  if (!(prior > 0 && prior < 1)) throw new VoxlabError(`the calibration prior must be in (0, 1), got ${prior}`);
  const rows = labels.length;
  if (features.length !== rows * columns) throw new RangeError(`${features.length} feature values for ${rows} rows of ${columns}`);
  let nTarget = 0;
  for (const l of labels) nTarget += l;
  const nNontarget = rows - nTarget;
  if (nTarget === 0 || nNontarget === 0) throw new VoxlabError("calibration needs target and non-target trials");
  const weightOf = (label: number): number => (label === 1 ? prior / nTarget : (1 - prior) / nNontarget);
  const priorLogOdds = logit(prior);

  const objective = (w: Float64Array): number => {
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      const z = dotRow(features, r, columns, w) + priorLogOdds;
      sum += weightOf(labels[r]) * softplus(labels[r] === 1 ? -z : z);
    }
    return sum;
  };

  let w = new Float64Array(columns);
  let value = objective(w);
  for (let iteration = 1; iteration <= MAX_ITERATIONS; iteration++) {
    const gradient = new Float64Array(columns);
    const hessian = new Float64Array(columns * columns);
    for (let r = 0; r < rows; r++) {
      const z = dotRow(features, r, columns, w) + priorLogOdds;
      const p = sigmoid(z);
      const weight = weightOf(labels[r]);
      const residual = weight * (p - labels[r]);
      const curvature = weight * p * (1 - p);
      for (let i = 0; i < columns; i++) {
        const xi = features[r * columns + i];
        gradient[i] += residual * xi;
        for (let j = 0; j <= i; j++) hessian[i * columns + j] += curvature * xi * features[r * columns + j];
      }
    }
    for (let i = 0; i < columns; i++) for (let j = 0; j < i; j++) hessian[j * columns + i] = hessian[i * columns + j];
    const step = solveSymmetric(hessian, gradient, columns);
    // Newton decrement λ² = gᵀH⁻¹g: half of it is the predicted decrease. Stop when it is at rounding level.
    let decrement = 0;
    for (let i = 0; i < columns; i++) decrement += gradient[i] * step[i];
    if (!(decrement >= 0) || !Number.isFinite(decrement)) throw separatedError();
    if (decrement < 1e-26) return finished(w, value, iteration);
    let t = 1;
    for (;;) {
      const candidate = w.map((wi, i) => wi - t * step[i]);
      const candidateValue = objective(candidate);
      if (candidateValue <= value - 0.25 * t * decrement || t < 1e-12) {
        // No decrease at all: the minimum is reached to rounding.
        if (!(candidateValue < value)) return finished(w, value, iteration);
        w = candidate;
        value = candidateValue;
        break;
      }
      t /= 2;
    }
    if (w.some((wi) => !Number.isFinite(wi) || Math.abs(wi) > 1e8)) throw separatedError();
  }
  throw separatedError();
}

/**
 * A converged fit; a criterion at rounding level means the gradient vanished because the classes are
 * (almost perfectly) separated, not because a finite minimum was reached.
 */
function finished(weights: Float64Array, objective: number, iterations: number): LogisticFit {
  if (objective < 1e-12) throw separatedError();
  return { weights, objective, iterations };
}

/** The error of a training set whose classes a linear rule separates: no finite calibration fits it. */
export function separatedError(): VoxlabError {
  return new VoxlabError("calibration cannot be trained: the training scores separate targets from non-targets, so no finite calibration fits them; train on more (overlapping) trials");
}

function dotRow(features: Float64Array, row: number, columns: number, w: Float64Array): number {
  let z = 0;
  for (let i = 0; i < columns; i++) z += features[row * columns + i] * w[i];
  return z;
}

/** Solves H·x = g for a small symmetric positive-definite H by Cholesky (throws when H is singular). */
function solveSymmetric(h: Float64Array, g: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = h[i * n + j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(sum > 0)) throw new VoxlabError("calibration cannot be trained: an input (the scores or a log duration) is constant, a copy of another, or separates the classes");
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j];
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = g[i];
    for (let k = 0; k < i; k++) sum -= l[i * n + k] * y[k];
    y[i] = sum / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * x[k];
    x[i] = sum / l[i * n + i];
  }
  return x;
}
