// A model's identity: everything that decides its embeddings of a file (the ONNX bytes, the frontend settings
// it is fed with, the extraction options that change results). Its hash, the model key, names the embedding
// store folder and tags the service's speaker database, so neither mixes embeddings of different models.
import { readUserFile } from "../core/fs.ts";
import { VoxlabError } from "../core/errors.ts";
import { sha256Hex } from "../core/hash.ts";
import type { FrontendName } from "../features/index.ts";
import { readModelProperties, type Device } from "./embedding-model.ts";
import { parseModelInfo, type MeanNorm } from "./metadata.ts";

/** The extraction options that change a model's embeddings, and so its identity. */
export interface ModelIdentityOptions {
  /** The extractor's chunked extraction (see ExtractOptions.chunkSeconds); it changes the embeddings, so it is part of the key. */
  chunkSeconds?: number;
  /** Where the model runs (EmbeddingModel.device): GPU kernels round differently, so "cuda" embeddings are kept apart. */
  device?: Device;
}

/** Everything that decides a model's embeddings of a file; its hash names the store folder. */
export interface ModelIdentity {
  modelSha256: string;
  frontend: FrontendName;
  sampleRate: number;
  meanNorm: MeanNorm;
  /** From the metadata; null when only the ONNX input shape gives it (covered by the model hash). */
  nMels: number | null;
  embeddingDim: number;
  chunkSeconds: number | null;
  /** Present only for "cuda", so CPU stores keep the keys they had before devices existed. */
  device?: "cuda";
}

/** The identity of the model at `modelPath` (its metadata_props, overridden by a sidecar, as the loader reads them). */
export async function modelIdentity(modelPath: string, options: ModelIdentityOptions = {}): Promise<ModelIdentity> {
  const bytes = await readUserFile(modelPath);
  const props = await readModelProperties(modelPath, bytes);
  // The feature dimension may come from the graph's input shape only; the model hash covers that.
  const info = parseModelInfo(props, modelPath, 0);
  const chunk = options.chunkSeconds;
  if (chunk !== undefined && !(chunk > 0 && Number.isFinite(chunk))) throw new VoxlabError(`chunk length must be positive, got ${chunk} s`);
  return {
    modelSha256: sha256Hex(bytes),
    frontend: info.frontend,
    sampleRate: info.sampleRate,
    meanNorm: info.meanNorm,
    nMels: props.n_mels === undefined ? null : info.nMels,
    embeddingDim: info.embeddingDim,
    chunkSeconds: chunk ?? null,
    ...(options.device === "cuda" ? { device: "cuda" as const } : {}),
  };
}

/** The key of an identity (the store folder name): a prefix of the sha256 of its canonical JSON. */
export function modelKey(identity: ModelIdentity): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(identity).sort(([a], [b]) => (a < b ? -1 : 1))));
  return sha256Hex(canonical).slice(0, 20);
}
