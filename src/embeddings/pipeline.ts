// From audio files to embeddings with decoding and features overlapping inference: worker threads featurise
// the next window of files while the main thread runs ONNX on the current one. Same windows, same batches and
// the same code as EmbeddingExtractor.embedFiles, so the same embeddings, bit for bit.
import type { Device, EmbeddingModel, LoadOptions } from "../models/embedding-model.ts";
import { FeaturePool } from "./feature-pool.ts";
import { checkedFileWindow, chunkSamples, EmbeddingExtractor, type ExtractOptions, type FileEmbedder } from "./extractor.ts";
import type { FeatureMatrix } from "../features/index.ts";

export interface PipelineLoadOptions extends LoadOptions {
  /** Feature worker threads (default defaultFeatureWorkers()). */
  featureWorkers?: number;
}

/** How the embed, eval and run commands compute embeddings. The device changes the numbers (it is part of the store key); so does a batch size above 1, by ~1e-7. */
export interface ComputeOptions {
  /** ONNX Runtime intra-op threads. */
  threads?: number;
  /** Utterances per ONNX run (see ExtractOptions.batchSize). */
  batchSize?: number;
  device?: Device;
  featureWorkers?: number;
  /** Told when "cuda" was asked for and the CPU is used instead. */
  onWarning?: (message: string) => void;
}

/**
 * Files per window in the pipeline (default of ExtractOptions.fileWindow here). Smaller than FILE_WINDOW so the
 * first window, which inference must wait for, is short; at most two windows of features are held at once.
 */
export const PIPELINE_FILE_WINDOW = 32;

export class PipelinedExtractor implements FileEmbedder {
  constructor(
    readonly extractor: EmbeddingExtractor,
    private readonly pool: FeaturePool,
  ) {}

  static async load(modelPath: string, options: PipelineLoadOptions = {}): Promise<PipelinedExtractor> {
    const extractor = await EmbeddingExtractor.load(modelPath, options);
    try {
      return new PipelinedExtractor(extractor, new FeaturePool(options.featureWorkers));
    } catch (err) {
      await extractor.close();
      throw err;
    }
  }

  /** The extractor that `compute` describes. */
  static fromCompute(modelPath: string, compute: ComputeOptions): Promise<PipelinedExtractor> {
    return PipelinedExtractor.load(modelPath, {
      intraOpThreads: compute.threads,
      device: compute.device,
      featureWorkers: compute.featureWorkers,
      onFallback: (reason) => compute.onWarning?.(`--device cuda: ${reason}; running on the CPU`),
    });
  }

  get model(): EmbeddingModel {
    return this.extractor.model;
  }

  get dimension(): number {
    return this.extractor.dimension;
  }

  /** Raw embeddings of audio files, in argument order (as EmbeddingExtractor.embedFiles with the same options). */
  async embedFiles(paths: string[], options: ExtractOptions = {}): Promise<Float32Array[]> {
    const fileWindow = checkedFileWindow({ fileWindow: options.fileWindow ?? PIPELINE_FILE_WINDOW });
    const info = this.extractor.model.info;
    const chunk = chunkSamples(options, info.sampleRate);
    const featurise = (start: number): Promise<FeatureMatrix[][]> => {
      const window = Promise.all(paths.slice(start, start + fileWindow).map((p) => this.pool.featurise(p, info, chunk)));
      // Awaited later; until then a failure must not count as unhandled.
      window.catch(() => undefined);
      return window;
    };
    const out: Float32Array[] = [];
    let next = paths.length > 0 ? featurise(0) : null;
    for (let start = 0; next; start += fileWindow) {
      const pieces = await next;
      next = start + fileWindow < paths.length ? featurise(start + fileWindow) : null;
      const count = pieces.length;
      const rows = await this.extractor.embedPieces(pieces, {
        ...options,
        // Pieces (chunks) are counted inside a window; report them as the share of its files.
        onProgress: (done, total) => options.onProgress?.(start + Math.round((count * done) / total), paths.length),
      });
      await options.onWindow?.(start, rows);
      out.push(...rows);
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.close(), this.extractor.close()]);
  }
}
