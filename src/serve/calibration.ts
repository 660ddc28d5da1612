// Calibrated answers of the service: llr and posterior beside the cosine, and decisions at a target prior.
import { applyCalibration, posteriorOfTarget, type Calibration } from "../calibration/linear.ts";
import { logit } from "../calibration/logistic.ts";
import { VoxlabError } from "../core/errors.ts";
import type { ServeThreshold } from "./threshold.ts";

export interface ServeCalibration {
  calibration: Calibration;
  /** The calib.json file, for /health and the start-up line. */
  source: string;
  /** The target prior of the posteriors (and of the decisions, when `decideAtPrior`). */
  prior: number;
  decideAtPrior: boolean;
}

/** The fields a calibrated service adds to each score. */
export interface CalibratedScore {
  llr: number;
  posterior: number;
  prior: number;
}

/** Checks that the service can use the calibration: a cosine and nothing else is known per trial. */
export function checkServeCalibration({ calibration, source }: Pick<ServeCalibration, "calibration" | "source">): void {
  if (calibration.qmf) throw new VoxlabError(`${source}: calibrations with duration quality measures are not supported by voxlab serve (enrollment durations are not stored)`);
  if (!(calibration.scale > 0)) throw new VoxlabError(`${source}: scale ${calibration.scale} is not positive: higher cosines would mean lower LLRs`);
}

export function calibrateScore(c: ServeCalibration, score: number): CalibratedScore {
  const [llr] = applyCalibration(c.calibration, [score]);
  return { llr, posterior: posteriorOfTarget(llr, c.prior), prior: c.prior };
}

/** The fields a score's answer gets from the service's calibration: none when it has none. */
export function calibratedFields(c: ServeCalibration | undefined, score: number): CalibratedScore | Record<string, never> {
  return c ? calibrateScore(c, score) : {};
}

/**
 * The cosine threshold of the Bayes decision llr ≥ −logit(P) at the target prior P: with llr = a·s + b
 * (a > 0) it is s ≥ (−logit(P) − b) / a, so the service decides on cosines as before.
 */
export function priorThreshold(c: ServeCalibration): ServeThreshold {
  checkServeCalibration(c);
  const llrThreshold = -logit(c.prior);
  return {
    value: (llrThreshold - c.calibration.offset) / c.calibration.scale,
    source: `Bayes decision llr ≥ ${Number(llrThreshold.toPrecision(6))} at target prior ${c.prior} with ${c.source}`,
  };
}
