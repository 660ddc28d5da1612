export { accumulate, centroid, centroidFromSum, CENTROID_METHODS, parseCentroidMethod, type CentroidMethod } from "./centroid.ts";
export { DEFAULT_THRESHOLD, SpeakerProfiles, type ProfilesFile, type ProfilesOptions, type SpeakerMatch, type SpeakerProfile, type VerifyResult } from "./profiles.ts";
