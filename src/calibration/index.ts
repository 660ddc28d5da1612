export { calibrateDevSet, calibrateDevSetToFile, scoresFileOf, trialDurations, type CalibrateDevOptions } from "./dev-set.ts";
export { CALIBRATION_FORMAT, calibrationJson, parseCalibration, readCalibration, writeCalibration } from "./file.ts";
export {
  applyCalibration,
  DEFAULT_CALIBRATION_PRIOR,
  posteriorOfTarget,
  trainCalibration,
  trainingSetHash,
  type Calibration,
  type DevThreshold,
  type QmfWeights,
  type TrainCalibrationOptions,
  type TrialDurations,
} from "./linear.ts";
export { fitPriorWeightedLogistic, logit, sigmoid, type LogisticFit, type LogisticProblem } from "./logistic.ts";
