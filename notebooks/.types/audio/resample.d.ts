/**
 * Resamples mono audio from `fromRate` to `toRate` Hz. The output has round(n·toRate/fromRate) samples,
 * aligned with the input (sample 0 is at time 0). Equal rates return `samples` itself.
 */
export declare function resample(samples: Float32Array, fromRate: number, toRate: number): Promise<Float32Array>;
