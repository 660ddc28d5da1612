// VoxLab's public API: notebooks, the CLI and other programs import from here only.
export { VoxlabError } from "./errors.ts";
export { decodeAudio, loadAudio, resample, type DecodedAudio } from "./audio/index.ts";
export { decodeNpy, encodeNpy, readNpy, writeNpy, type Float32Npy } from "./io/npy.ts";
export { downloadFile, type DownloadOptions, type DownloadProgress, type DownloadResult } from "./models/download.ts";
export { fetchSpeechbrainModel, type FetchOptions, type FetchedModel, type FetchManifest } from "./models/fetch.ts";
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
export { importSpeechbrainModel, type ImportOptions, type ImportResult } from "./models/import.ts";
export { EmbeddingModel, loadEmbeddingModel, sidecarPath, type EmbedInput, type LoadOptions } from "./models/embedding-model.ts";
export { readOnnxMetadata, type EmbeddingModelInfo, type MeanNorm } from "./models/metadata.ts";
export { buildEcapaOnnx, ecapaParameterShapes } from "./models/ecapa-onnx.ts";
export { parseSpeechbrainHyperparams, type EcapaConfig, type SpeechbrainHyperparams } from "./models/speechbrain-config.ts";
export { decodeTorchCheckpoint, readTorchCheckpoint, type StateDict, type Tensor } from "./models/torch-checkpoint.ts";
export { EmbeddingExtractor, planBatches, splitIntoChunks, type ExtractOptions } from "./embeddings/extractor.ts";
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
export {
  actualDcf,
  bayesThreshold,
  bootstrapCi,
  cllr,
  computeMetrics,
  detCurve,
  detTicks,
  eer,
  eerFromPoints,
  groupTrials,
  minCllr,
  minDcf,
  minDcfFromPoints,
  operatingPoints,
  parseScoresCsv,
  probit,
  readScoresCsv,
  rocchEer,
  thresholdAtFalseAcceptRate,
  thresholdAtFalseRejectRate,
  type BootstrapOptions,
  type ComputeMetricsOptions,
  type ConfidenceInterval,
  type DcfAtThreshold,
  type DcfCost,
  type DetCurve,
  type Labels,
  type OperatingPoints,
  type ScoresTable,
  type ThresholdChoice,
  type TrialGroups,
  type VerificationMetrics,
} from "./metrics/index.ts";
