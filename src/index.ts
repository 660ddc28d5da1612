// VoxLab's public API, the one import target of the CLI, the notebooks, the benchmarks and other programs:
//   import { EmbeddingExtractor, cosineScore, computeMetrics } from "voxlab"; // or "./src/index.ts" in this repository
// Sections follow the data path (audio → features → model → embeddings → enrollment → scoring → metrics →
// reports); each name is documented where it is defined. Heavy modules load on first use, not on import.

// Errors (one-line messages for bad input), small helpers the CLI, notebooks and benchmarks share, `.npy` files.
export { errorMessage, VoxlabError } from "./core/errors.ts";
export { writeFileAtomic } from "./core/fs.ts";
export { mulberry32, randomInt, type Random } from "./core/random.ts";
export { decodeNpy, encodeNpy, readNpy, writeNpy, type Float32Npy } from "./core/npy.ts";

// Audio: WAV/FLAC in, mono float32 at the model's rate out, within a length budget.
export { encodeWavPcm16 } from "./audio/encode-wav.ts";
export {
  decodeAudio,
  DEFAULT_MAX_AUDIO_SECONDS,
  loadAudio,
  resample,
  type AudioBudget,
  type DecodedAudio,
} from "./audio/decode.ts";

// Frontends: SpeechBrain and Kaldi filterbanks [T, 80], with mean normalisation.
export {
  computeFeatures,
  computeKaldiFbank,
  computeSpeechbrainFbank,
  FRONTEND_NAMES,
  isFrontendName,
  KALDI_3DSPEAKER,
  KALDI_WESPEAKER,
  parseFrontendName,
  subtractTimeMean,
  type FeatureMatrix,
  type FeatureOptions,
  type FrontendName,
  type KaldiFbankOptions,
  type KaldiWindow,
} from "./features/index.ts";

// Datasets: VoxCeleb-style trees and manifests, trial lists (VoxCeleb, WeSpeaker, CN-Celeb formats), trial generation, the demo set.
export {
  detectTrialFormat,
  formatTrials,
  generateTrials,
  loadEnrollMap,
  loadManifest,
  loadTrials,
  manifestToCsv,
  parseTrials,
  readAudioHeader,
  saveManifest,
  scanDataset,
  TRIAL_FORMATS,
  wavRootOf,
  writeTrials,
  type AudioHeader,
  type DatasetManifest,
  type EnrollMap,
  type ManifestEntry,
  type ScanOptions,
  type Trial,
  type TrialFormat,
  type TrialGenerationOptions,
  type TrialList,
} from "./datasets/index.ts";
export { splitTrialsBySpeaker, type SpeakerSplit } from "./datasets/split.ts";
export {
  generateDemoDataset,
  type DemoDatasetOptions,
  type DemoDatasetSummary,
} from "./datasets/demo/demo-dataset.ts";

// Models: self-describing ONNX embedding models (load, run, metadata), the shipped default, SpeechBrain checkpoints → ONNX, Hub downloads, int8 quantization.
export {
  fetchHubFiles,
  fetchSpeechbrainModel,
  type FetchOptions,
  type FetchSource,
  type FetchedModel,
  type FetchManifest,
} from "./models/hub/fetch.ts";
export { fetchModel, type FetchModelOptions, type FetchModelResult } from "./models/hub/fetch-model.ts";
export {
  importSpeechbrainModel,
  type HfOrigin,
  type ImportOptions,
  type ImportResult,
} from "./models/speechbrain/import.ts";
/** `voxlab model quantize`: an int8 (QDQ) copy of a float model, calibrated on speech; and its pure graph steps. */
export { quantizeModelFile, type QuantizeOptions, type QuantizeResult } from "./models/quantize/quantize-file.ts";
export {
  cudaProviderInstalled,
  EmbeddingModel,
  loadEmbeddingModel,
  type Device,
  type EmbedInput,
  type LoadOptions,
} from "./models/embedding-model.ts";
export { readOnnxMetadata, voxlabMetadata, type EmbeddingModelInfo, type MeanNorm } from "./models/metadata.ts";
export { buildEcapaOnnx, ecapaParameterShapes, type EcapaGraphForm } from "./models/speechbrain/ecapa-onnx.ts";
export {
  parseSpeechbrainHyperparams,
  SPKREC_ECAPA_VOXCELEB,
  type EcapaConfig,
  type SpeechbrainHyperparams,
} from "./models/speechbrain/hyperparams.ts";
/** Seeded random weights for an ECAPA of any size: a full-size model for benchmarks and tests, whose trained weights VoxLab does not ship. */
export { randomEcapaState } from "./models/speechbrain/random-weights.ts";
/** A single-input copy of a VoxLab ECAPA that sherpa-onnx loads (the runtime `npm run bench` compares against). */
export { sherpaSingleInput } from "./models/sherpa-onnx.ts";
export { readTorchCheckpoint, type StateDict, type Tensor } from "./models/speechbrain/torch-checkpoint.ts";
export { type ModelIdentity, type ModelIdentityOptions } from "./models/identity.ts";
export { defaultModelPath } from "./models/default-model.ts";

// Embeddings: the extractor (audio files → raw embeddings), the on-disk store, the `voxlab embed` job and its --shard splits.
export {
  EmbeddingExtractor,
  PIPELINE_FILE_WINDOW,
  type ComputeOptions,
  type ExtractOptions,
  type ExtractorLoadOptions,
  type FileEmbedder,
} from "./embeddings/extractor.ts";
export { defaultFeatureWorkers } from "./embeddings/feature-pool.ts";
export {
  EmbeddingStore,
  type BadFile,
  type StoreEmbedOptions,
  type StoreOptions,
  type StoreRunStats,
} from "./embeddings/store/cache.ts";
export { mergeStores, type MergeSummary } from "./embeddings/store/merge.ts";
export { writeEmbeddingTable } from "./embeddings/store/table.ts";
export { parseShard, shardFromEnvironment, type Shard } from "./embeddings/job-split.ts";
export { runEmbedJob, type EmbedJobOptions, type EmbedJobResult } from "./embeddings/embed-job.ts";

// Enrollment: speaker centroids and profiles (enroll, verify, identify).
export {
  centroid,
  CENTROID_METHODS,
  DEFAULT_THRESHOLD,
  parseCentroidMethod,
  SpeakerProfiles,
  type CentroidMethod,
  type ProfilesFile,
  type ProfilesOptions,
  type SpeakerMatch,
  type SpeakerProfile,
  type VerifyResult,
} from "./enrollment/index.ts";

// Scoring: cosine trials, s-norm / AS-norm, the scores CSV.
export {
  asNorm,
  Cohort,
  cohortStats,
  cosineScore,
  formatScoresCsv,
  l2Normalize,
  normalizeScores,
  parseScoresCsv,
  readScoresCsv,
  scoreTrials,
  sNorm,
  trialEmbeddings,
  writeScoresCsv,
  type CohortStats,
  type CohortStatsOptions,
  type ScoreNormOptions,
  type ScoresCsvOptions,
  type ScoresTable,
  type StdEstimator,
  type TrialEmbeddingOptions,
  type TrialEmbeddings,
  type Vector,
} from "./scoring/index.ts";

// Metrics (METRICS.md): EER, ROCCH-EER, minDCF, Cllr, DET, thresholds, bootstrap intervals, paired comparisons, the metric catalogue.
export {
  actualDcf,
  bayesErrorRates,
  bayesThreshold,
  bootstrapCi,
  calibratedMetrics,
  cllr,
  calibratedJson,
  computeMetrics,
  detCurve,
  detTicks,
  eer,
  formatMetricValue,
  groupTrials,
  INTERVAL_METRICS,
  intervalMetric,
  METRIC_CATALOGUE,
  metricDefinition,
  metricIntervals,
  minCllr,
  minDcf,
  pairedSpeakerBootstrap,
  pairedVerdict,
  probit,
  rocchEer,
  thresholdAtFalseAcceptRate,
  thresholdAtFalseRejectRate,
  type BayesErrorPoint,
  type BootstrapOptions,
  type CalibratedMetric,
  type CalibratedMetrics,
  type CatalogueKey,
  type ComputeMetricsOptions,
  type ConfidenceInterval,
  type DcfAtThreshold,
  type DcfCost,
  type DetCurve,
  type IntervalMetric,
  type Labels,
  type MetricDefinition,
  type MetricIntervals,
  type MetricUnit,
  type PairedBootstrapOptions,
  type PairedDifference,
  type PairedTrials,
  type ScoreMetric,
  type ThresholdChoice,
  type TrialGroups,
  type VerificationMetrics,
} from "./metrics/index.ts";

// Calibration: scores → log-likelihood ratios (llr = scale·s + offset [+ duration QMF]), saved as calib.json.
export {
  applyCalibration,
  calibrateDevSet,
  calibrateDevSetToFile,
  DEFAULT_CALIBRATION_PRIOR,
  parseCalibration,
  posteriorOfTarget,
  readCalibration,
  trainCalibration,
  writeCalibration,
  type CalibrateDevOptions,
  type Calibration,
  type DevThreshold,
  type QmfWeights,
  type TrainCalibrationOptions,
  type TrialDurations,
} from "./calibration/index.ts";

// Plots: vega-lite specs of DET, ROC, score distributions, threshold sweeps, Bayes error; SVG/PNG rendering.
export {
  detPlotSpec,
  perSpeakerErrorSpec,
  bayesErrorData,
  bayesErrorSpec,
  renderPng,
  renderSvg,
  rocSpec,
  scoreDistributionData,
  scoreDistributionSpec,
  speakerErrors,
  thresholdSweepData,
  thresholdSweepSpec,
  type BayesErrorInput,
  type BayesErrorPlotOptions,
  type CurveInput,
  type DetPlotData,
  type DetPlotOptions,
  type NamedThreshold,
  type PerSpeakerErrorOptions,
  type RocPlotOptions,
  type ScoreDistributionOptions,
  type SpeakerErrors,
  type ThresholdSweepOptions,
} from "./plots/index.ts";

// Reports: the self-contained report.html and its threshold tables.
export {
  buildReport,
  confusionAt,
  escapeHtml,
  renderReportHtml,
  ruleOf30Warning,
  thresholdTable,
  writeReport,
  type BuiltReport,
  type ReportInput,
  type ThresholdRow,
  type WrittenReport,
} from "./reports/index.ts";

// Experiments: the whole path as one run (`voxlab eval`, `npm start`, configs with provenance), comparisons of runs.
export {
  defaultStoreDir,
  runEvaluation,
  SCORE_NORMS,
  type EvaluationOptions,
  type EvaluationResult,
  type ScoreNorm,
} from "./experiments/evaluate.ts";
export { DEMO_DATA, DEMO_RESULTS, runDefaultJob, type DefaultJobOptions } from "./experiments/default-job.ts";
export { writeFeaturesFile } from "./experiments/features-file.ts";
export {
  loadExperimentConfig,
  parseExperimentConfig,
  resolveExperimentConfig,
  type ExperimentConfig,
  type ResolvedExperimentConfig,
} from "./experiments/config.ts";
export {
  runExperiment,
  type DatasetProvenance,
  type ExperimentRun,
  type Provenance,
  type RunExperimentOptions,
} from "./experiments/run.ts";
export {
  compareRuns,
  type CompareOptions,
  type ComparedRun,
  type Comparison,
  type RunMetrics,
} from "./experiments/compare.ts";
export { pairedComparisons, type PairedComparison, type PairedRun } from "./experiments/paired.ts";
export { scoresFileMetrics, type ScoresFileMetrics } from "./experiments/scores-file-metrics.ts";

// The service behind `voxlab serve`.
export {
  checkServeCalibration,
  priorThreshold,
  thresholdFromMetrics,
  VoxlabService,
  type ServeCalibration,
  type ServeOptions,
  type ServeThreshold,
} from "./serve/index.ts";
