export { bayesErrorData, bayesErrorSpec, DEFAULT_DETECTOR, type BayesErrorInput, type BayesErrorPlotOptions, type BayesErrorRow } from "./bayes-error.ts";
export { detPlotData, detPlotSpec, rocSpec, type CurveInput, type CurvePointRow, type DetPlotData, type DetPlotOptions, type EerPointRow, type RocPlotOptions } from "./curves.ts";
export {
  histogram,
  kernelDensity,
  scoreDistributionData,
  scoreDistributionSpec,
  silvermanBandwidth,
  type DensityRow,
  type HistogramRow,
  type NamedThreshold,
  type ScoreDistributionData,
  type ScoreDistributionOptions,
} from "./distribution.ts";
export { renderPng, renderSvg } from "./render.ts";
export { decimate } from "./sample.ts";
export { perSpeakerErrorSpec, speakerErrors, type PerSpeakerErrorOptions, type SpeakerErrorRow, type SpeakerErrors } from "./speakers.ts";
export { thresholdSweepData, thresholdSweepSpec, type SweepRow, type ThresholdSweepOptions } from "./sweep.ts";
