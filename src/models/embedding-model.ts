// Loading a speaker-embedding ONNX model with its VoxLab metadata, and running features through it.
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type * as ort from "onnxruntime-node";
import { VoxlabError, errorMessage } from "../core/errors.ts";
import { readJson, readUserFile } from "../core/fs.ts";
import { FRONTEND_BINS, type FeatureMatrix } from "../features/index.ts";
import { onnxRuntime } from "../core/lazy-modules.ts";
import { parseModelInfo, QUANTIZATION_KEY, readOnnxMetadata, type EmbeddingModelInfo } from "./metadata.ts";

/** Input/output names tried in order: VoxLab/WeSpeaker `feats`, 3D-Speaker `feature` or `x`. */
export const FEATURE_INPUTS = ["feats", "feature", "x"];
export const EMBEDDING_OUTPUTS = ["embedding", "embs", "embeddings"];
const LENGTHS_INPUT = "lengths";

/** Where the model runs: ONNX Runtime's CPU provider, or its CUDA provider. */
export type Device = "cpu" | "cuda";

export interface LoadOptions {
  /** ONNX Runtime intra-op threads (default: ONNX Runtime's choice). */
  intraOpThreads?: number;
  /** Default "cpu". "cuda" falls back to the CPU when the CUDA provider cannot start (see onFallback). */
  device?: Device;
  /** Told why "cuda" was asked for but the model runs on the CPU. */
  onFallback?: (reason: string) => void;
  /**
   * The session will only describe the model (others run it, e.g. model workers): ONNX Runtime skips graph
   * optimisation, which halves the time to load and slows every run.
   */
  describeOnly?: boolean;
}

/**
 * Whether onnxruntime-node's CUDA provider libraries are installed beside its binding. npm does not ship them;
 * its postinstall fetches them when asked (ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node).
 * Checked before asking ONNX Runtime, which would print a native error on its own when they are missing.
 */
export function cudaProviderInstalled(): boolean {
  const bin = join(dirname(createRequire(import.meta.url).resolve("onnxruntime-node")), "..", "bin");
  if (!existsSync(bin)) return false;
  return readdirSync(bin).some((napi) => existsSync(join(bin, napi, process.platform, process.arch, "libonnxruntime_providers_cuda.so")));
}

/**
 * ONNX Runtime's graph optimisation level: its default ("all") adds layout transformations, which run float
 * convolutions in the faster blocked NCHWc layout but wrap an int8 model's QLinearConvs in NHWC transposes that
 * cost more than they gain (5–17 % of the full-size ECAPA's kernel time, 1 and 2 threads), so a quantized model
 * (metadata `quantization`) stops at "extended".
 */
function optimizationLevel(options: LoadOptions, quantized: boolean): ort.InferenceSession.SessionOptions["graphOptimizationLevel"] {
  if (options.describeOnly) return "disabled";
  return quantized ? "extended" : undefined;
}

/** An ONNX Runtime session on `device`, or on the CPU (with the reason told to onFallback) when CUDA cannot start. */
async function createSession(bytes: Uint8Array, options: LoadOptions, quantized: boolean): Promise<{ session: ort.InferenceSession; device: Device }> {
  const { InferenceSession } = await onnxRuntime();
  const level = optimizationLevel(options, quantized);
  const base: ort.InferenceSession.SessionOptions = {
    ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
    ...(level ? { graphOptimizationLevel: level } : {}),
  };
  if (options.device === "cuda") {
    if (!cudaProviderInstalled()) {
      options.onFallback?.("onnxruntime-node's CUDA provider is not installed (ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node)");
    } else {
      try {
        return { session: await InferenceSession.create(bytes, { ...base, executionProviders: ["cuda"] }), device: "cuda" };
      } catch (err) {
        options.onFallback?.(`the CUDA provider did not start (${errorMessage(err).split("\n")[0]})`);
      }
    }
  }
  return { session: await InferenceSession.create(bytes, base), device: "cpu" };
}

/** One utterance's features: `frames` rows of the model's n_mels values, C order (`bins` optional). */
export type EmbedInput = Pick<FeatureMatrix, "data" | "frames"> & Partial<Pick<FeatureMatrix, "bins">>;

/** The sidecar beside `<model>.onnx`: `<model>.voxlab.json` (keys as in metadata_props). */
export function sidecarPath(modelPath: string): string {
  return `${modelPath.replace(/\.onnx$/i, "")}.voxlab.json`;
}

async function readSidecar(modelPath: string): Promise<Record<string, string>> {
  const path = sidecarPath(modelPath);
  // Optional: most models carry their metadata inside.
  if (!existsSync(path)) return {};
  const parsed = await readJson(path);
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new VoxlabError(`${path}: not a JSON object`);
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
}

/** A model's metadata_props overridden by its sidecar: how VoxLab reads what a model says of itself. */
export async function readModelProperties(path: string, bytes: Uint8Array): Promise<Record<string, string>> {
  return { ...readOnnxMetadata(bytes, path), ...(await readSidecar(path)) };
}

function pickName(candidates: readonly string[], names: readonly string[], override: string | undefined, what: string, file: string): string {
  if (override !== undefined) {
    if (!names.includes(override)) throw new VoxlabError(`${file}: metadata names ${what} "${override}" but the model has ${names.join(", ")}`);
    return override;
  }
  const found = candidates.find((n) => names.includes(n));
  if (!found) throw new VoxlabError(`${file}: no ${what} named ${candidates.join("/")} (the model has ${names.join(", ")})`);
  return found;
}

const shapeText = (shape: readonly (number | string)[]): string => `[${shape.join(",")}]`;

/**
 * Refuses, at load time, a model that VoxLab cannot feed: features must go in as [batch, frames, bins]
 * with the bins its frontend computes, and a static embedding size must be the metadata's embedding_dim.
 */
function checkModelFits(path: string, info: EmbeddingModelInfo, session: ort.InferenceSession, featsName: string, outputName: string): void {
  if (info.nMels !== FRONTEND_BINS) {
    throw new VoxlabError(`${path}: the model takes ${info.nMels} mel bins, but its frontend ${info.frontend} gives ${FRONTEND_BINS}`);
  }
  const feats = session.inputMetadata.find((m) => m.name === featsName);
  if (feats?.isTensor && feats.shape.length !== 3) {
    throw new VoxlabError(`${path}: input ${featsName} has shape ${shapeText(feats.shape)}; VoxLab feeds [batch, frames, ${info.nMels}]`);
  }
  const output = session.outputMetadata.find((m) => m.name === outputName);
  const size = output?.isTensor ? output.shape.at(-1) : undefined;
  if (output?.isTensor && typeof size === "number" && size !== info.embeddingDim) {
    throw new VoxlabError(`${path}: output ${outputName} has shape ${shapeText(output.shape)}, but metadata embedding_dim is ${info.embeddingDim}`);
  }
}

export class EmbeddingModel {
  private constructor(
    readonly path: string,
    readonly info: EmbeddingModelInfo,
    /** Where it runs: "cpu" also when "cuda" was asked for but could not start. */
    readonly device: Device,
    private readonly session: ort.InferenceSession,
    private readonly featsName: string,
    private readonly lengthsName: string | null,
    private readonly outputName: string,
  ) {}

  /** Loads `path`; its metadata_props, overridden by a `<model>.voxlab.json` sidecar, must describe it. */
  static async load(path: string, options: LoadOptions = {}): Promise<EmbeddingModel> {
    const bytes = await readUserFile(path);
    const props = await readModelProperties(path, bytes);
    let session: ort.InferenceSession;
    let device: Device;
    try {
      ({ session, device } = await createSession(bytes, options, props[QUANTIZATION_KEY] !== undefined));
    } catch (err) {
      throw new VoxlabError(`${path}: ONNX Runtime cannot load the model (${errorMessage(err).split("\n")[0]})`);
    }
    try {
      const featsName = pickName(FEATURE_INPUTS, session.inputNames, props.feats_input, "feature input", path);
      const outputName = pickName(EMBEDDING_OUTPUTS, session.outputNames, props.embedding_output, "embedding output", path);
      const lengthsName = session.inputNames.includes(LENGTHS_INPUT) ? LENGTHS_INPUT : null;
      const extra = session.inputNames.filter((n) => n !== featsName && n !== lengthsName);
      if (extra.length > 0) throw new VoxlabError(`${path}: unsupported model inputs ${extra.join(", ")}`);
      const featsMeta = session.inputMetadata.find((m) => m.name === featsName);
      const lastDim = featsMeta?.isTensor ? featsMeta.shape[featsMeta.shape.length - 1] : undefined;
      const info = parseModelInfo(props, path, typeof lastDim === "number" ? lastDim : undefined);
      if (typeof lastDim === "number" && lastDim !== info.nMels) {
        throw new VoxlabError(`${path}: metadata n_mels ${info.nMels} differs from the model input's ${lastDim}`);
      }
      checkModelFits(path, info, session, featsName, outputName);
      return new EmbeddingModel(path, info, device, session, featsName, lengthsName, outputName);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  /** Whether rows of different lengths can share one run (the graph takes `lengths`). */
  get supportsPaddedBatches(): boolean {
    return this.lengthsName !== null;
  }

  /**
   * Embeds a batch of feature matrices; returns one [embeddingDim] row per input, in order. With a
   * `lengths` input the batch is zero-padded into one run; otherwise each row runs on its own, since
   * padding would change its embedding.
   */
  async embedFeatures(batch: EmbedInput[]): Promise<Float32Array[]> {
    const { nMels, minFrames } = this.info;
    batch.forEach((item, i) => {
      if (!Number.isInteger(item.frames) || item.data.length !== item.frames * nMels || (item.bins ?? nMels) !== nMels) {
        throw new VoxlabError(`${this.path}: features #${i} hold ${item.data.length} values, not ${item.frames} frames x ${nMels}`);
      }
      if (item.frames < minFrames) {
        throw new VoxlabError(`${this.path}: features #${i} have ${item.frames} frames; the model needs at least ${minFrames}`);
      }
    });
    if (batch.length === 0) return [];
    if (this.lengthsName === null) {
      const rows: Float32Array[] = [];
      for (const item of batch) rows.push(...(await this.run([item])));
      return rows;
    }
    return this.run(batch);
  }

  private async run(batch: EmbedInput[]): Promise<Float32Array[]> {
    const { nMels, embeddingDim } = this.info;
    const maxFrames = Math.max(...batch.map((b) => b.frames));
    const padded = new Float32Array(batch.length * maxFrames * nMels);
    batch.forEach((item, i) => padded.set(item.data, i * maxFrames * nMels));
    const { Tensor } = await onnxRuntime();
    const feeds: Record<string, ort.Tensor> = { [this.featsName]: new Tensor("float32", padded, [batch.length, maxFrames, nMels]) };
    if (this.lengthsName) {
      feeds[this.lengthsName] = new Tensor("int64", BigInt64Array.from(batch, (b) => BigInt(b.frames)), [batch.length]);
    }
    let output: ort.Tensor;
    try {
      output = (await this.session.run(feeds))[this.outputName];
    } catch (err) {
      throw new VoxlabError(`${this.path}: inference failed (${errorMessage(err).split("\n")[0]})`);
    }
    const data = output.data as Float32Array;
    if (output.type !== "float32" || data.length !== batch.length * embeddingDim) {
      throw new VoxlabError(`${this.path}: output ${this.outputName} has shape [${output.dims.join(",")}], expected [${batch.length},${embeddingDim}]`);
    }
    const rows = batch.map((_, i) => data.slice(i * embeddingDim, (i + 1) * embeddingDim));
    output.dispose();
    return rows;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/** Loads a speaker-embedding ONNX model (see EmbeddingModel.load). */
export function loadEmbeddingModel(path: string, options: LoadOptions = {}): Promise<EmbeddingModel> {
  return EmbeddingModel.load(path, options);
}
