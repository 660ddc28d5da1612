// Datasets: scanning VoxCeleb-style trees into manifests, trial lists (read, write, generate).
export { readAudioHeader, type AudioHeader } from "../audio/header.ts";
export {
  loadManifest,
  manifestHash,
  manifestToCsv,
  parseManifestCsv,
  saveManifest,
  scanDataset,
  wavRootOf,
  type DatasetManifest,
  type ManifestEntry,
  type ScanOptions,
} from "./manifest.ts";
export {
  checkTrialsAgainstManifest,
  detectTrialFormat,
  formatTrials,
  loadEnrollMap,
  loadTrials,
  missingPathsError,
  parseEnrollMap,
  parseTrials,
  TRIAL_FORMATS,
  writeTrials,
  type EnrollMap,
  type Trial,
  type TrialFormat,
  type TrialList,
} from "./trial-lists.ts";
export { generateTrials, type TrialGenerationOptions } from "./generate-trials.ts";
