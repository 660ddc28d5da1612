// Speaker centroids: how several enrollment embeddings become one. Each method is a running float64
// sum plus a count, so adding utterances one at a time gives the same centroid as a batch build.
import { VoxlabError } from "../core/errors.ts";
import { l2Norm, type Vector } from "../core/vector.ts";

/**
 * - `mean-normalized` (default): the mean of the length-normalised embeddings, renormalised
 *   (each utterance weighs the same whatever its embedding's magnitude).
 * - `raw-mean`: the plain mean of the raw embeddings (WeSpeaker tools/vector_mean.py, CNC-Eval-Avg).
 * - `sum-normalize`: the raw embeddings summed, then length-normalised (sherpa-onnx
 *   SpeakerEmbeddingManager::Add). It points the same way as `raw-mean`; only the length differs.
 */
export type CentroidMethod = "mean-normalized" | "raw-mean" | "sum-normalize";

export const CENTROID_METHODS: readonly CentroidMethod[] = ["mean-normalized", "raw-mean", "sum-normalize"];

export function parseCentroidMethod(text: string, where = "centroid method"): CentroidMethod {
  if (!(CENTROID_METHODS as readonly string[]).includes(text)) {
    throw new VoxlabError(`${where}: unknown "${text}" (known: ${CENTROID_METHODS.join(", ")})`);
  }
  return text as CentroidMethod;
}

/** Adds one embedding to a running sum, as `method` accumulates it (length-normalised first or raw). */
export function accumulate(sum: Float64Array, embedding: Vector, method: CentroidMethod, name = "embedding"): void {
  if (embedding.length !== sum.length) throw new VoxlabError(`${name}: dimension ${embedding.length}, expected ${sum.length}`);
  const norm = l2Norm(embedding);
  if (!(norm > 0 && Number.isFinite(norm))) throw new VoxlabError(`${name}: embedding has norm ${norm}`);
  const scale = method === "mean-normalized" ? 1 / norm : 1;
  for (let i = 0; i < sum.length; i++) sum[i] += embedding[i] * scale;
}

/** The centroid of `count` embeddings whose accumulated sum is `sum`. */
export function centroidFromSum(sum: Float64Array, count: number, method: CentroidMethod): Float32Array {
  if (count < 1) throw new VoxlabError("a centroid needs at least one embedding");
  if (method === "raw-mean") return Float32Array.from(sum, (x) => x / count);
  // mean-normalized and sum-normalize both end length-normalised; dividing by count first changes nothing.
  const norm = l2Norm(sum);
  if (!(norm > 0)) throw new VoxlabError("the enrollment embeddings cancel out (their sum is zero)");
  return Float32Array.from(sum, (x) => x / norm);
}

/** The centroid of a list of embeddings (a batch build). */
export function centroid(embeddings: readonly Vector[], method: CentroidMethod = "mean-normalized"): Float32Array {
  if (embeddings.length === 0) throw new VoxlabError("a centroid needs at least one embedding");
  const sum = new Float64Array(embeddings[0].length);
  embeddings.forEach((e, i) => accumulate(sum, e, method, `embedding #${i}`));
  return centroidFromSum(sum, embeddings.length, method);
}
