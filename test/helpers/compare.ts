import assert from "node:assert/strict";

/** Cosine and max abs error of `actual` against `reference`, with the reference's max |e|. */
export function compareEmbedding(actual: Float32Array, reference: Float32Array): { cosine: number; maxErr: number; maxRef: number } {
  assert.equal(actual.length, reference.length, "embedding dimension");
  let dot = 0;
  let aa = 0;
  let rr = 0;
  let maxErr = 0;
  let maxRef = 0;
  for (let i = 0; i < actual.length; i++) {
    dot += actual[i] * reference[i];
    aa += actual[i] * actual[i];
    rr += reference[i] * reference[i];
    maxErr = Math.max(maxErr, Math.abs(actual[i] - reference[i]));
    maxRef = Math.max(maxRef, Math.abs(reference[i]));
  }
  return { cosine: dot / Math.sqrt(aa * rr), maxErr, maxRef };
}

/** The fixtures' tolerance: cosine ≥ 0.9999 and max abs error ≤ 1e-3·max|e| (float32 FFT/conv order). */
export function assertEmbeddingParity(actual: Float32Array, reference: Float32Array, what: string): string {
  const { cosine, maxErr, maxRef } = compareEmbedding(actual, reference);
  assert.ok(cosine >= 0.9999, `${what}: cosine ${cosine}`);
  assert.ok(maxErr <= 1e-3 * maxRef, `${what}: max abs error ${maxErr} > 1e-3 x ${maxRef}`);
  return `${what}: 1-cos ${(1 - cosine).toExponential(1)}, max err ${maxErr.toExponential(2)} (max|e| ${maxRef.toFixed(3)})`;
}
