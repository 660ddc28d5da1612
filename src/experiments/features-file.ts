// `voxlab features`: one audio file's filterbank features, written as a float32 .npy.
import { loadAudio } from "../audio/decode.ts";
import { writeNpy } from "../core/npy.ts";
import { computeFeatures, type FeatureMatrix, type FrontendName } from "../features/index.ts";

/** Decodes `audio` (resampled to 16 kHz mono), computes its [T,80] features and writes them to `out`. */
export async function writeFeaturesFile(audio: string, out: string, options: { frontend: FrontendName; meanNorm: boolean }): Promise<FeatureMatrix> {
  const samples = await loadAudio(audio);
  const features = computeFeatures(samples, options.frontend, { meanNorm: options.meanNorm, name: audio });
  await writeNpy(out, { shape: [features.frames, features.bins], data: features.data });
  return features;
}
