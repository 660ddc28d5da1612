export { readAudioHeader, type AudioHeader } from "./audio-header.ts";
export { loadManifest, manifestHash, manifestToCsv, parseManifestCsv, saveManifest, scanDataset, wavRootOf, type DatasetManifest, type ManifestEntry, type ScanOptions, } from "./manifest.ts";
export { checkTrialsAgainstManifest, detectTrialFormat, formatTrials, loadEnrollMap, loadTrials, missingPathsError, parseEnrollMap, parseTrials, TRIAL_FORMATS, writeTrials, type EnrollMap, type Trial, type TrialFormat, type TrialList, } from "./trials.ts";
export { generateTrials, type TrialGenerationOptions } from "./generate.ts";
