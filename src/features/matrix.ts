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
export function subtractTimeMean(m: FeatureMatrix): FeatureMatrix {
  const copy = { ...m, data: m.data.slice() };
  subtractTimeMeanInPlace(copy);
  return copy;
}

/** subtractTimeMean, overwriting `m` (for a matrix that nobody else holds yet). */
export function subtractTimeMeanInPlace(m: FeatureMatrix): void {
  const { frames, bins, data } = m;
  const mean = new Float64Array(bins);
  for (let t = 0; t < frames; t++) {
    const row = t * bins;
    for (let b = 0; b < bins; b++) mean[b] += data[row + b];
  }
  for (let b = 0; b < bins; b++) mean[b] /= frames;
  for (let t = 0; t < frames; t++) {
    const row = t * bins;
    for (let b = 0; b < bins; b++) data[row + b] -= mean[b];
  }
}
