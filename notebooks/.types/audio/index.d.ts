import type { DecodedAudio } from "./channels.ts";
export type { DecodedAudio } from "./channels.ts";
export { resample } from "./resample.ts";
/**
 * Decodes a WAV or FLAC file held in memory, told apart by their magic bytes (not the file name), and
 * mixes it down to mono at the file's own rate. `name` (usually the path) starts every error message.
 */
export declare function decodeAudio(bytes: Uint8Array, name: string): Promise<DecodedAudio>;
/** Reads an audio file, decodes it, mixes it down to mono and resamples it to `targetRate` Hz. */
export declare function loadAudio(path: string, targetRate?: number): Promise<Float32Array>;
