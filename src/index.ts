// VoxLab's public API: notebooks, the CLI and other programs import from here only.
export { errorMessage, VoxlabError } from "./core/errors.ts";
export { writeFileAtomic } from "./core/fs.ts";
export { mulberry32, randomInt, type Random } from "./core/random.ts";
export { encodeWavPcm16 } from "./audio/encode-wav.ts";
export { decodeAudio, DEFAULT_MAX_AUDIO_SECONDS, loadAudio, resample, type AudioBudget, type DecodedAudio } from "./audio/decode.ts";
export { decodeNpy, encodeNpy, readNpy, writeNpy, type Float32Npy } from "./core/npy.ts";
export { downloadFile, fileDigest, type DownloadOptions, type DownloadProgress, type DownloadResult, type ExpectedDigest } from "./models/hub/download.ts";
export { fetchHubFiles, fetchSpeechbrainModel, type FetchOptions, type FetchSource, type FetchedModel, type FetchManifest } from "./models/hub/fetch.ts";
export { fetchModel, type FetchModelOptions, type FetchModelResult } from "./models/hub/fetch-model.ts";
export { hfCacheDir } from "./models/hub/hf-cache.ts";
export { detectOnnxFamily, familySidecar, ONNX_FAMILIES, type OnnxFamily } from "./models/onnx-families.ts";
export { proxyFor, UnreachableError, type RetryOptions } from "./models/hub/http.ts";
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
export { importSpeechbrainModel, type HfOrigin, type ImportOptions, type ImportResult } from "./models/speechbrain/import.ts";
/** `voxlab model quantize`: an int8 (QDQ) copy of a float model, calibrated on speech; and its pure graph steps. */
export { quantizeModelFile, type QuantizeOptions, type QuantizeResult } from "./models/quantize/quantize-file.ts";
export { DEFAULT_KEEP_FLOAT, planQuantization, quantizeModel, type QuantizationPlan, type Range } from "./models/quantize/qdq.ts";
export { calibrateRanges, calibrationSet, type CalibrationSet } from "./models/quantize/activation-ranges.ts";
export { cudaProviderInstalled, EmbeddingModel, loadEmbeddingModel, sidecarPath, type Device, type EmbedInput, type LoadOptions } from "./models/embedding-model.ts";
export { readOnnxMetadata, voxlabMetadata, type EmbeddingModelInfo, type MeanNorm } from "./models/metadata.ts";
export { buildEcapaOnnx, ecapaParameterShapes } from "./models/speechbrain/ecapa-onnx.ts";
export { parseSpeechbrainHyperparams, SPKREC_ECAPA_VOXCELEB, type EcapaConfig, type SpeechbrainHyperparams } from "./models/speechbrain/hyperparams.ts";
/** Seeded random weights for an ECAPA of any size: a full-size model for benchmarks and tests, whose trained weights VoxLab does not ship. */
export { randomEcapaState } from "./models/speechbrain/random-weights.ts";
/** A single-input copy of a VoxLab ECAPA that sherpa-onnx loads (the runtime `npm run bench` compares against). */
export { sherpaSingleInput } from "./models/sherpa-onnx.ts";
export { decodeTorchCheckpoint, readTorchCheckpoint, type StateDict, type Tensor } from "./models/speechbrain/torch-checkpoint.ts";
export {
  EmbeddingExtractor,
  PIPELINE_FILE_WINDOW,
  planBatches,
  type ComputeOptions,
  type ExtractOptions,
  type ExtractorLoadOptions,
  type FileEmbedder,
} from "./embeddings/extractor.ts";
export { splitIntoChunks } from "./models/model-input.ts";
export { defaultFeatureWorkers, FeaturePool } from "./embeddings/feature-pool.ts";
export { EmbeddingStore, type BadFile, type StoreEmbedOptions, type StoreOptions, type StoreRunStats } from "./embeddings/store/cache.ts";
export { mergeStores, type MergeSummary } from "./embeddings/store/merge.ts";
export { writeEmbeddingTable } from "./embeddings/store/table.ts";
export { modelIdentity, modelKey, type ModelIdentity, type ModelIdentityOptions } from "./models/identity.ts";
export {
  checkTrialsAgainstManifest,
  detectTrialFormat,
  formatTrials,
  generateTrials,
  loadEnrollMap,
  loadManifest,
  loadTrials,
  manifestHash,
  manifestToCsv,
  missingPathsError,
  parseEnrollMap,
  parseManifestCsv,
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
  planDemoDataset,
  type DemoCondition,
  type DemoDatasetOptions,
  type DemoDatasetSummary,
  type DemoSession,
  type DemoSpeaker,
  type DemoUtterance,
  type DemoVoice,
} from "./datasets/demo/demo-dataset.ts";
export {
  actualDcf,
  BAYES_ERROR_LOG_ODDS,
  bayesErrorRates,
  bayesThreshold,
  bootstrapCi,
  calibratedMetrics,
  cllr,
  calibratedJson,
  COMPARE_COLUMNS,
  computeMetrics,
  detCurve,
  detTicks,
  eer,
  eerFromPoints,
  formatMetricNumber,
  formatMetricValue,
  groupTrials,
  INTERVAL_METRICS,
  intervalMetric,
  METRIC_CATALOGUE,
  metricDefinition,
  metricIntervals,
  minCllr,
  minDcf,
  minDcfFromPoints,
  metricsOfGroups,
  operatingPoints,
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
  type OperatingPoints,
  type PairedBootstrapOptions,
  type PairedDifference,
  type PairedTrials,
  type ScoreMetric,
  type ThresholdChoice,
  type TrialGroups,
  type VerificationMetrics,
} from "./metrics/index.ts";
export {
  accumulate,
  centroid,
  centroidFromSum,
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
export {
  asNorm,
  centerEmbedding,
  Cohort,
  cohortStats,
  cosineScore,
  dot,
  formatScoresCsv,
  l2Norm,
  l2Normalize,
  meanEmbedding,
  meanStd,
  normalizeScores,
  parseScoresCsv,
  readScoresCsv,
  scoreTrials,
  selectTopK,
  sNorm,
  sNormScore,
  trialEmbeddings,
  unitVector,
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
export {
  decimate,
  detPlotData,
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
export {
  audioPlayer,
  buildReport,
  calibrationCostRows,
  conditionBreakdowns,
  conditionMetrics,
  conditionSections,
  confusionAt,
  DURATION_BINS,
  escapeHtml,
  renderReportHtml,
  ruleOf30Warning,
  thresholdTable,
  transferRows,
  writeReport,
  type Breakdown,
  type BuiltReport,
  type CalibrationCostRow,
  type Condition,
  type ConditionFigure,
  type ConditionMetrics,
  type ConditionSections,
  type ConditionSystem,
  type ConfusionCounts,
  type ReportFigure,
  type ReportCalibration,
  type ReportInput,
  type ReportTrial,
  type TrialConditions,
  type ThresholdRow,
  type TransferRow,
  type WrittenReport,
} from "./reports/index.ts";
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
  trainingSetHash,
  writeCalibration,
  type CalibrateDevOptions,
  type Calibration,
  type DevThreshold,
  type QmfWeights,
  type TrainCalibrationOptions,
  type TrialDurations,
} from "./calibration/index.ts";
export { defaultStoreDir, runEvaluation, SCORE_NORMS, type EvaluationOptions, type EvaluationResult, type ScoreNorm } from "./experiments/evaluate.ts";
export { DEMO_DATA, DEMO_RESULTS, runDefaultJob, type DefaultJobOptions } from "./experiments/default-job.ts";
export { writeFeaturesFile } from "./experiments/features-file.ts";
export {
  configHash,
  experimentConfigSchema,
  loadExperimentConfig,
  parseExperimentConfig,
  resolvedConfigJson,
  resolveExperimentConfig,
  validateWith,
  type ExperimentConfig,
  type ResolvedExperimentConfig,
} from "./experiments/config.ts";
export { gitState, runExperiment, runId, utcStamp, type DatasetProvenance, type ExperimentRun, type Provenance, type RunExperimentOptions } from "./experiments/run.ts";
export { compareCurves, compareHtml, compareRuns, compareTable, defaultCompareDir, readRun, type CompareOptions, type ComparedRun, type Comparison, type RunMetrics } from "./experiments/compare.ts";
export { PAIRED_DEFAULTS, pairedComparisons, pairedHtml, pairedMarkdown, pairedMethod, speakerOfPath, type PairedComparison, type PairedRun } from "./experiments/paired.ts";
export { scoresFileMetrics, type ScoresFileMetrics } from "./experiments/scores-file-metrics.ts";
export { describeTrials, type DescribeOptions } from "./experiments/trial-info.ts";
export { DEFAULT_MODEL_FILE, defaultModelPath } from "./models/default-model.ts";
export { parseShard, selectShard, shardFromEnvironment, type Shard } from "./embeddings/job-split.ts";
export { runEmbedJob, type EmbedJobOptions, type EmbedJobResult } from "./embeddings/embed-job.ts";
export {
  AudioRoots,
  checkServeCalibration,
  DEFAULT_THRESHOLD_KEY,
  HttpError,
  isLoopbackHost,
  priorThreshold,
  SpeakerDb,
  thresholdFromMetrics,
  tokenProblem,
  VoxlabService,
  WorkQueue,
  type QueueStats,
  type ServeCalibration,
  type ServeOptions,
  type SpeakerDbOptions,
  type StoredProfile,
  type StoredSpeaker,
  type ServeThreshold,
} from "./serve/index.ts";
