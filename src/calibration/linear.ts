// Linear calibration of scores to log-likelihood ratios, optionally with duration quality measures.
import { createHash } from "node:crypto";
import { VoxlabError } from "../core/errors.ts";
import { groupTrials, type Labels, type TrialGroups } from "../metrics/index.ts";
import { fitPriorWeightedLogistic, logit, separatedError, sigmoid } from "./logistic.ts";

/** Seconds of audio on each side of every trial (aligned with the scores), for the quality measures. */
export interface TrialDurations {
  enroll: ArrayLike<number>;
  test: ArrayLike<number>;
}

/** A threshold chosen on the dev trials for an operating point (e.g. "minDCF (P_target = 0.01)"). */
export interface DevThreshold {
  name: string;
  /** Accept raw score >= threshold; null = reject all. */
  threshold: number | null;
}

/** Weights of the quality measures (WeSpeaker-style QMF): log durations in seconds of each side. */
export interface QmfWeights {
  log_enroll_seconds: number;
  log_test_seconds: number;
}

/**
 * A trained calibration: llr = scale·s + offset [+ qmf.log_enroll_seconds·ln d_enroll + qmf.log_test_seconds·ln d_test].
 * The llr is a natural-log likelihood ratio, free of any prior.
 */
export interface Calibration {
  scale: number;
  offset: number;
  /** The effective target prior it was trained at (the cross-entropy's weighting). */
  prior: number;
  qmf?: QmfWeights;
  /**
   * Raw-score thresholds tuned on the training (dev) trials, one per operating point of the report's
   * threshold table (null = reject all), so an evaluation can show what each costs on new trials.
   */
  dev_thresholds?: DevThreshold[];
  training: {
    /** `trainingSetHash` of the scores, labels (and durations) it was trained on. */
    sha256: string;
    n_target: number;
    n_nontarget: number;
    /** What the trials were (a file or a run folder), when known. */
    source?: string;
  };
}

export interface TrainCalibrationOptions {
  /** Effective target prior π of the training criterion (default 0.5). */
  prior?: number;
  /** Train the duration quality measures too. */
  durations?: TrialDurations;
  source?: string;
}

export const DEFAULT_CALIBRATION_PRIOR = 0.5;

/** SHA-256 (hex) of the training trials as float64 scores, label bytes and (if any) float64 durations, little-endian. */
export function trainingSetHash(scores: ArrayLike<number>, labels: Labels, durations?: TrialDurations): string {
  const hash = createHash("sha256");
  hash.update(new Uint8Array(Float64Array.from(scores).buffer));
  hash.update(Uint8Array.from(labels as ArrayLike<number>, Number));
  if (durations) {
    hash.update(new Uint8Array(Float64Array.from(durations.enroll).buffer));
    hash.update(new Uint8Array(Float64Array.from(durations.test).buffer));
  }
  return hash.digest("hex");
}

function lowestTargetScore(groups: TrialGroups): number {
  let g = 0;
  while (groups.targets[g] === 0) g++;
  return groups.scores[g];
}

function highestNontargetScore(groups: TrialGroups): number {
  let g = groups.scores.length - 1;
  while (groups.nontargets[g] === 0) g--;
  return groups.scores[g];
}

/** ln of a duration, refusing what has no logarithm. */
function logSeconds(seconds: number, side: string, index: number): number {
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new VoxlabError(`${side} duration of trial ${index + 1} is ${seconds}; durations must be positive seconds`);
  return Math.log(seconds);
}

function checkDurations(durations: TrialDurations, count: number): void {
  if (durations.enroll.length !== count || durations.test.length !== count) {
    throw new VoxlabError(`${count} scores but ${durations.enroll.length} enroll and ${durations.test.length} test durations`);
  }
}

/**
 * Trains llr = scale·s + offset (+ QMF terms) by prior-weighted logistic regression at `prior`
 * (BOSARIS train_linear_calibration; see fitPriorWeightedLogistic for the criterion).
 */
export function trainCalibration(scores: ArrayLike<number>, labels: Labels, { prior = DEFAULT_CALIBRATION_PRIOR, durations, source }: TrainCalibrationOptions = {}): Calibration {
  // groupTrials validates the trials (finite scores, 0/1 labels, both classes) with the metrics' messages.
  const groups = groupTrials(scores, labels, source);
  // Separated classes have no finite maximum-likelihood fit (the scale would grow without bound).
  if (!durations && lowestTargetScore(groups) > highestNontargetScore(groups)) throw separatedError();
  const columns = durations ? 4 : 2;
  if (durations) checkDurations(durations, scores.length);
  const features = new Float64Array(scores.length * columns);
  for (let i = 0; i < scores.length; i++) {
    const row = features.subarray(i * columns, (i + 1) * columns);
    row[0] = scores[i];
    if (durations) {
      row[1] = logSeconds(durations.enroll[i], "enroll", i);
      row[2] = logSeconds(durations.test[i], "test", i);
    }
    row[columns - 1] = 1;
  }
  const binary = Uint8Array.from(labels as ArrayLike<number>, Number);
  const { weights } = fitPriorWeightedLogistic({ features, columns, labels: binary, prior });
  return {
    scale: weights[0],
    offset: weights[columns - 1],
    prior,
    ...(durations ? { qmf: { log_enroll_seconds: weights[1], log_test_seconds: weights[2] } } : {}),
    training: { sha256: trainingSetHash(scores, labels, durations), n_target: groups.nTarget, n_nontarget: groups.nNontarget, ...(source === undefined ? {} : { source }) },
  };
}

/** The calibrated LLRs of any scores; a calibration with quality measures needs the durations. */
export function applyCalibration(calibration: Calibration, scores: ArrayLike<number>, durations?: TrialDurations): Float64Array {
  const { scale, offset, qmf } = calibration;
  if (qmf && !durations) throw new VoxlabError("this calibration uses duration quality measures: give the enroll and test durations of the trials");
  if (qmf && durations) checkDurations(durations, scores.length);
  const llrs = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    let llr = scale * scores[i] + offset;
    if (qmf && durations) llr += qmf.log_enroll_seconds * logSeconds(durations.enroll[i], "enroll", i) + qmf.log_test_seconds * logSeconds(durations.test[i], "test", i);
    llrs[i] = llr;
  }
  return llrs;
}

/** The posterior probability of a target for an LLR at target prior P: sigmoid(llr + logit P). */
export function posteriorOfTarget(llr: number, prior: number): number {
  if (!(prior > 0 && prior < 1)) throw new VoxlabError(`the target prior must be in (0, 1), got ${prior}`);
  return sigmoid(llr + logit(prior));
}
