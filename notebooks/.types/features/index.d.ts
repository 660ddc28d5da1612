import { type FeatureMatrix } from "./matrix.ts";
export { computeKaldiFbank, KALDI_3DSPEAKER, KALDI_WESPEAKER, type KaldiFbankOptions, type KaldiWindow } from "./kaldi.ts";
export { subtractTimeMean, type FeatureMatrix } from "./matrix.ts";
export { computeSpeechbrainFbank } from "./speechbrain.ts";
export declare const FRONTEND_NAMES: readonly ["speechbrain", "kaldi-wespeaker", "kaldi-3dspeaker"];
export type FrontendName = (typeof FRONTEND_NAMES)[number];
export declare function isFrontendName(name: string): name is FrontendName;
/** Checks a frontend name from a user (a CLI flag, model metadata); `source` names where it came from. */
export declare function parseFrontendName(name: string, source?: string): FrontendName;
export interface FeatureOptions {
    /** Subtract the per-utterance time mean of each bin (SpeechBrain sentence norm / Kaldi-style CMN). */
    meanNorm: boolean;
    /** Names the input in error messages (a file path). */
    name?: string;
}
/** The [T,80] features of 16 kHz mono samples (in [-1, 1)) through the named frontend. */
export declare function computeFeatures(samples: Float32Array, frontend: FrontendName, options: FeatureOptions): FeatureMatrix;
