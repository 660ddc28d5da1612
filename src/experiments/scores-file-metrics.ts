// `voxlab metrics`: the metrics of a scores CSV, and of its scores calibrated by a calib.json when one is given.
import { applyCalibration } from "../calibration/linear.ts";
import { readCalibration } from "../calibration/file.ts";
import { VoxlabError } from "../core/errors.ts";
import { calibratedMetrics, computeMetrics, type CalibratedMetrics, type VerificationMetrics } from "../metrics/index.ts";
import { readScoresCsv } from "../scoring/scores-csv.ts";

export interface ScoresFileMetrics {
  metrics: VerificationMetrics;
  /** The calibrated scores' costs (with `calibration`). */
  calibrated?: CalibratedMetrics;
}

/**
 * The metrics of a `score,label` CSV; with `calibration` (a calib.json without duration quality measures, which
 * need trial durations that a scores file lacks), also those of the calibrated scores.
 */
export async function scoresFileMetrics(path: string, options: { calibration?: string } = {}): Promise<ScoresFileMetrics> {
  // Read first: a bad calibration file fails before a large scores file is parsed.
  const calibration = options.calibration === undefined ? undefined : await readCalibration(options.calibration);
  const { scores, labels } = await readScoresCsv(path, { trials: false });
  const metrics = computeMetrics(scores, labels, { source: path });
  if (calibration?.qmf) throw new VoxlabError(`${options.calibration}: a calibration with duration quality measures needs trial durations; use voxlab eval --calibration`);
  return calibration === undefined ? { metrics } : { metrics, calibrated: calibratedMetrics(applyCalibration(calibration, scores), labels, path) };
}
