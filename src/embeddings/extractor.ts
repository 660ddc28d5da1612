// From audio files to embeddings: decode → frontend (named by the model's metadata) → ONNX, in length-sorted batches.
import { loadAudio } from "../audio/decode.ts";
import { VoxlabError } from "../core/errors.ts";
import { computeFeatures, type FeatureMatrix } from "../features/index.ts";
import { loadEmbeddingModel, type EmbeddingModel, type LoadOptions } from "../models/embedding-model.ts";
import { featurePieces } from "../models/model-input.ts";

export interface ExtractOptions {
  /**
   * Utterances per ONNX run, at most (default 1). With 1, an embedding depends only on its own audio, so reruns,
   * resumed runs and shards agree bit for bit; larger batches are zero-padded to their longest row, which moves
   * each row's embedding by ~1e-7 with its batch-mates, and pay off only on short clips of similar length.
   */
  batchSize?: number;
  /** Padded frames per ONNX run, at most (batch rows × longest row; default 16 × 400), which bounds memory. */
  maxBatchFrames?: number;
  /**
   * Split each utterance into chunks of this many seconds, embed each, and average the raw embeddings
   * (WeSpeaker's chunked extraction). Off by default: the whole utterance is embedded at once.
   */
  chunkSeconds?: number;
  /** Files decoded and featurised before their ONNX runs, at most (default FILE_WINDOW); batches form within a window. */
  fileWindow?: number;
  /** Called after each ONNX run: utterances (or chunks) done, of how many. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called, and awaited, with each window's embeddings as soon as they are computed: the rows of files
   * [start, start + rows.length) of this call (e.g. to save them before the run ends).
   */
  onWindow?: (start: number, rows: Float32Array[]) => void | Promise<void>;
}

/** What turns audio files into raw embeddings: EmbeddingExtractor, or PipelinedExtractor (features in worker threads). */
export interface FileEmbedder {
  readonly model: EmbeddingModel;
  readonly dimension: number;
  embedFiles(paths: string[], options?: ExtractOptions): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/** Files are decoded and featurised this many at a time, so memory stays bounded on long lists. */
export const FILE_WINDOW = 256;

/** options.fileWindow (default FILE_WINDOW), refused unless a positive integer. */
export function checkedFileWindow(options: Pick<ExtractOptions, "fileWindow">): number {
  const window = options.fileWindow ?? FILE_WINDOW;
  if (!Number.isInteger(window) || window < 1) throw new VoxlabError(`file window must be a positive integer, got ${window}`);
  return window;
}

/** The chunk length in samples for `options.chunkSeconds` (0: whole utterances). */
export function chunkSamples(options: Pick<ExtractOptions, "chunkSeconds">, sampleRate: number): number {
  const chunk = options.chunkSeconds ? Math.round(options.chunkSeconds * sampleRate) : 0;
  if (options.chunkSeconds !== undefined && !(chunk > 0)) throw new VoxlabError(`chunk length must be positive, got ${options.chunkSeconds} s`);
  return chunk;
}

/** Mean of equal-length rows. */
export function meanRow(rows: Float32Array[]): Float32Array {
  const out = new Float32Array(rows[0].length);
  for (const row of rows) for (let i = 0; i < out.length; i++) out[i] += row[i];
  for (let i = 0; i < out.length; i++) out[i] /= rows.length;
  return out;
}

/**
 * Groups indices of items into batches of similar length: sorted by frame count, cut when the batch
 * is full or its padded size (rows × longest) would pass `maxBatchFrames`.
 */
export function planBatches(frames: number[], batchSize: number, maxBatchFrames: number): number[][] {
  const order = frames.map((_, i) => i).sort((a, b) => frames[a] - frames[b] || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    const longest = frames[i];
    if (current.length > 0 && (current.length >= batchSize || (current.length + 1) * longest > maxBatchFrames)) {
      batches.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export class EmbeddingExtractor implements FileEmbedder {
  constructor(readonly model: EmbeddingModel) {}

  static async load(modelPath: string, options: LoadOptions = {}): Promise<EmbeddingExtractor> {
    return new EmbeddingExtractor(await loadEmbeddingModel(modelPath, options));
  }

  get dimension(): number {
    return this.model.info.embeddingDim;
  }

  /** The features the model expects for 16 kHz mono samples. */
  features(samples: Float32Array, name?: string): FeatureMatrix {
    const { frontend, meanNorm } = this.model.info;
    return computeFeatures(samples, frontend, { meanNorm: meanNorm !== "none", name });
  }

  /** Raw (not length-normalised) embeddings of 16 kHz mono signals, in input order. */
  async embedSamples(signals: Float32Array[], options: ExtractOptions = {}, names?: string[]): Promise<Float32Array[]> {
    const chunk = chunkSamples(options, this.model.info.sampleRate);
    return this.embedPieces(signals.map((samples, i) => featurePieces(samples, this.model.info, chunk, names?.[i] ?? `signal #${i}`)), options);
  }

  /**
   * Raw embeddings of utterances given as the features of their pieces (featurePieces): all pieces are batched
   * by length, and each utterance gets the mean of its pieces' embeddings.
   */
  async embedPieces(utterances: FeatureMatrix[][], options: ExtractOptions = {}): Promise<Float32Array[]> {
    const owner = utterances.flatMap((pieces, i) => pieces.map(() => i));
    const rows = await this.embedFeatureList(utterances.flat(), options);
    return utterances.map((_, i) => meanRow(rows.filter((_, p) => owner[p] === i)));
  }

  /** Raw embeddings of audio files, in argument order; decodes and embeds a window of files at a time. */
  async embedFiles(paths: string[], options: ExtractOptions = {}): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    const fileWindow = checkedFileWindow(options);
    for (let start = 0; start < paths.length; start += fileWindow) {
      const window = paths.slice(start, start + fileWindow);
      const signals = await Promise.all(window.map((p) => loadAudio(p, this.model.info.sampleRate)));
      const rows = await this.embedSamples(signals, {
        ...options,
        // Pieces (chunks) are counted inside a window; report them as the share of its files.
        onProgress: (done, total) => options.onProgress?.(start + Math.round((window.length * done) / total), paths.length),
      }, window);
      await options.onWindow?.(start, rows);
      out.push(...rows);
    }
    return out;
  }

  private async embedFeatureList(pieces: FeatureMatrix[], options: ExtractOptions): Promise<Float32Array[]> {
    const batchSize = options.batchSize ?? 1;
    const maxBatchFrames = options.maxBatchFrames ?? 16 * 400;
    const rows: Float32Array[] = new Array(pieces.length);
    let done = 0;
    for (const batch of planBatches(pieces.map((p) => p.frames), batchSize, maxBatchFrames)) {
      const embedded = await this.model.embedFeatures(batch.map((i) => pieces[i]));
      batch.forEach((i, k) => (rows[i] = embedded[k]));
      done += batch.length;
      options.onProgress?.(done, pieces.length);
    }
    return rows;
  }

  async close(): Promise<void> {
    await this.model.close();
  }
}
