// The model's pre-processing: audio samples become the feature matrices an embedding model takes, as its
// metadata names them (frontend, mean normalisation, shortest input), whole or in chunks.
import { VoxlabError } from "../core/errors.ts";
import { computeFeatures, type FeatureMatrix } from "../features/index.ts";
import type { EmbeddingModelInfo } from "./metadata.ts";

/** What featurising needs to know about the model. */
export type FeatureSpec = Pick<EmbeddingModelInfo, "frontend" | "meanNorm" | "minFrames" | "sampleRate">;

/** The features of each piece of one signal (the whole of it, or its `chunk`-sample chunks when chunk > 0). */
export function featurePieces(samples: Float32Array, spec: FeatureSpec, chunk: number, name: string): FeatureMatrix[] {
  // Decoded files are checked already; samples handed in directly are not, and one NaN would poison every frame.
  const bad = samples.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new VoxlabError(`${name}: sample ${bad} is ${samples[bad]}; VoxLab needs finite samples`);
  return (chunk ? splitIntoChunks(samples, chunk) : [samples]).map((piece) => {
    const features = computeFeatures(piece, spec.frontend, { meanNorm: spec.meanNorm !== "none", name });
    if (features.frames < spec.minFrames) {
      throw new VoxlabError(`${name}: ${(piece.length / spec.sampleRate).toFixed(3)} s gives ${features.frames} frames; the model needs at least ${spec.minFrames}`);
    }
    return features;
  });
}

/** Splits samples into `chunk`-sample pieces; a tail shorter than half a chunk joins the piece before it. */
export function splitIntoChunks(samples: Float32Array, chunk: number): Float32Array[] {
  if (samples.length <= chunk) return [samples];
  const starts: number[] = [];
  for (let s = 0; s + chunk <= samples.length; s += chunk) starts.push(s);
  const tail = samples.length - (starts[starts.length - 1] + chunk);
  if (tail > 0 && tail >= chunk / 2) starts.push(starts[starts.length - 1] + chunk);
  return starts.map((s, i) => samples.subarray(s, i === starts.length - 1 ? samples.length : s + chunk));
}
