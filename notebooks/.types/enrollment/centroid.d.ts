import { type Vector } from "../scoring/cosine.ts";
/**
 * - `mean-normalized` (default): the mean of the length-normalised embeddings, renormalised
 *   (each utterance weighs the same whatever its embedding's magnitude).
 * - `raw-mean`: the plain mean of the raw embeddings (WeSpeaker tools/vector_mean.py, CNC-Eval-Avg).
 * - `sum-normalize`: the raw embeddings summed, then length-normalised (sherpa-onnx
 *   SpeakerEmbeddingManager::Add). It points the same way as `raw-mean`; only the length differs.
 */
export type CentroidMethod = "mean-normalized" | "raw-mean" | "sum-normalize";
export declare const CENTROID_METHODS: readonly CentroidMethod[];
export declare function parseCentroidMethod(text: string, where?: string): CentroidMethod;
/** Adds one embedding to a running sum, as `method` accumulates it (length-normalised first or raw). */
export declare function accumulate(sum: Float64Array, embedding: Vector, method: CentroidMethod, name?: string): void;
/** The centroid of `count` embeddings whose accumulated sum is `sum`. */
export declare function centroidFromSum(sum: Float64Array, count: number, method: CentroidMethod): Float32Array;
/** The centroid of a list of embeddings (a batch build). */
export declare function centroid(embeddings: readonly Vector[], method?: CentroidMethod): Float32Array;
