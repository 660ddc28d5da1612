// Cosine similarity between embeddings, accumulated in float64 so long vectors do not lose precision.
import { VoxlabError } from "./errors.ts";

/** An embedding as the model gives it (float32) or a float64 working copy. */
export type Vector = Float32Array | Float64Array;

function checkSameLength(a: Vector, b: Vector): void {
  if (a.length !== b.length) throw new VoxlabError(`embedding dimensions differ: ${a.length} vs ${b.length}`);
}

/** Σ a_i·b_i in float64. */
export function dot(a: Vector, b: Vector): number {
  checkSameLength(a, b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** Euclidean length in float64. */
export function l2Norm(v: Vector): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  return Math.sqrt(sum);
}

/** The Euclidean length of a vector that has a direction; a zero (or non-finite) one is refused. */
export function directionalNorm(v: Vector, name = "embedding"): number {
  const norm = l2Norm(v);
  if (!(norm > 0 && Number.isFinite(norm))) throw new VoxlabError(`${name}: cannot length-normalise a vector of norm ${norm}`);
  return norm;
}

/** `v / |v|` in float64; a zero (or non-finite) vector has no direction and is refused. */
export function unitVector(v: Vector, name = "embedding"): Float64Array {
  const norm = directionalNorm(v, name);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / norm;
  return out;
}

/** `v / |v|` as float32 (the length-normalised embedding). */
export function l2Normalize(v: Vector, name?: string): Float32Array {
  return Float32Array.from(unitVector(v, name));
}

/** Cosine similarity a·b / (|a||b|), in [-1, 1]. */
export function cosineScore(a: Vector, b: Vector): number {
  const lengths = l2Norm(a) * l2Norm(b);
  if (!(lengths > 0 && Number.isFinite(lengths))) throw new VoxlabError(`cosine score of a zero or non-finite embedding (norms ${l2Norm(a)}, ${l2Norm(b)})`);
  return dot(a, b) / lengths;
}
