// The HTTP service over the library (`voxlab serve`).
export { AudioRoots } from "./audio-roots.ts";
export { HttpError } from "./http-error.ts";
export { WorkQueue, type QueueStats } from "./queue.ts";
export { isLoopbackHost, tokenProblem } from "./auth.ts";
export { checkServeCalibration, priorThreshold, type ServeCalibration } from "./calibration.ts";
export type { ServeOptions } from "./options.ts";
export { VoxlabService } from "./server.ts";
export { SpeakerDb, type SpeakerDbOptions, type StoredProfile, type StoredSpeaker } from "./speaker-db.ts";
export { DEFAULT_THRESHOLD_KEY, thresholdFromMetrics, type ServeThreshold } from "./threshold.ts";
