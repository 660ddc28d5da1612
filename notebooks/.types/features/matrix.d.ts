/** Features of one utterance: `frames` rows of `bins` values, row-major ([T][80] for every frontend here). */
export interface FeatureMatrix {
    frames: number;
    bins: number;
    data: Float32Array;
}
/**
 * Sentence mean normalisation: subtracts each bin's mean over time (no variance normalisation), as
 * SpeechBrain's InputNormalization(norm_type="sentence", std_norm=False) and WeSpeaker/3D-Speaker CMN do.
 * Returns a new matrix; an empty one stays empty.
 */
export declare function subtractTimeMean(m: FeatureMatrix): FeatureMatrix;
/** subtractTimeMean, overwriting `m` (for a matrix that nobody else holds yet). */
export declare function subtractTimeMeanInPlace(m: FeatureMatrix): void;
