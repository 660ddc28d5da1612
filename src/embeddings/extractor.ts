// From audio files to embeddings: decode → frontend (named by the model's metadata) → ONNX, in length-sorted batches.
// Optionally, feature worker threads decode and featurise the next window of files while the main thread runs
// ONNX on the current one: same windows, same batches and the same feature code, so the same embeddings, bit for bit.
// Optionally too, model workers (single-thread sessions in worker threads) run a window's batches side by side.
import { loadAudio } from "../audio/decode.ts";
import { mapLimit } from "../core/concurrency.ts";
import { VoxlabError } from "../core/errors.ts";
import { computeFeatures, type FeatureMatrix } from "../features/index.ts";
import { loadEmbeddingModel, type Device, type EmbeddingModel, type LoadOptions } from "../models/embedding-model.ts";
import { featurePieces } from "../models/model-input.ts";
import { ModelWorkers } from "../models/model-workers.ts";
import { defaultFeatureWorkers, FeaturePool } from "./feature-pool.ts";

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
  /** Files decoded and featurised before their ONNX runs, at most (default 256, or PIPELINE_FILE_WINDOW with feature workers); batches form within a window. */
  fileWindow?: number;
  /** Called after each ONNX run: utterances (or chunks) done, of how many. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called, and awaited, with each window's embeddings as soon as they are computed: the rows of files
   * [start, start + rows.length) of this call (e.g. to save them before the run ends).
   */
  onWindow?: (start: number, rows: Float32Array[]) => void | Promise<void>;
}

/** What turns audio files into raw embeddings (EmbeddingExtractor; the store takes any, so tests can wrap one). */
export interface FileEmbedder {
  readonly model: EmbeddingModel;
  readonly dimension: number;
  embedFiles(paths: string[], options?: ExtractOptions): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export interface ExtractorLoadOptions extends LoadOptions {
  /** Feature worker threads that decode and featurise files beside ONNX inference (default: none, all on the calling thread). */
  featureWorkers?: number;
  /**
   * Worker threads with a single-thread ONNX Runtime session each, running batches side by side (default: none,
   * the model runs on the calling thread). Not with device "cuda", where the model runs on the calling thread.
   * The same embeddings as one single-thread session, bit for bit; each worker holds its own copy of the weights.
   */
  modelWorkers?: number;
}

/** How the embed, eval and run commands compute embeddings. The device changes the numbers (it is part of the store key); so does a batch size above 1, by ~1e-7. */
export interface ComputeOptions {
  /**
   * CPU threads for the model (default: one session with ONNX Runtime's choice, one intra-op thread per core).
   * 2 or more on the CPU: that many single-thread sessions in model workers, each embedding whole batches, which
   * scales better than intra-op threads on ECAPA's many small operators (see README, "Speed, threads, batches").
   */
  threads?: number;
  /** Utterances per ONNX run (see ExtractOptions.batchSize). */
  batchSize?: number;
  device?: Device;
  /** Feature worker threads (default defaultFeatureWorkers()). */
  featureWorkers?: number;
  /** Told when "cuda" was asked for and the CPU is used instead. */
  onWarning?: (message: string) => void;
}

/** Files are decoded and featurised this many at a time on the calling thread, so memory stays bounded on long lists. */
const FILE_WINDOW = 256;

/**
 * Files per window with feature workers. Smaller than FILE_WINDOW so the first window, which inference must
 * wait for, is short; at most two windows of features are held at once.
 */
export const PIPELINE_FILE_WINDOW = 32;

/** `window` (the option, or the default), refused unless a positive integer. */
function checkedFileWindow(window: number): number {
  if (!Number.isInteger(window) || window < 1) throw new VoxlabError(`file window must be a positive integer, got ${window}`);
  return window;
}

/** The chunk length in samples for `options.chunkSeconds` (0: whole utterances). */
function chunkSamples(options: Pick<ExtractOptions, "chunkSeconds">, sampleRate: number): number {
  const chunk = options.chunkSeconds ? Math.round(options.chunkSeconds * sampleRate) : 0;
  if (options.chunkSeconds !== undefined && !(chunk > 0)) throw new VoxlabError(`chunk length must be positive, got ${options.chunkSeconds} s`);
  return chunk;
}

/** Mean of equal-length rows. */
function meanRow(rows: Float32Array[]): Float32Array {
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
  constructor(
    readonly model: EmbeddingModel,
    /** Feature workers for embedFiles; without them, files are decoded and featurised on the calling thread. */
    private readonly pool?: FeaturePool,
    /** Model workers that run the batches; without them, `model` runs them on the calling thread. */
    private readonly modelWorkers?: ModelWorkers,
  ) {}

  static async load(modelPath: string, options: ExtractorLoadOptions = {}): Promise<EmbeddingExtractor> {
    // Model workers load their sessions while this thread loads its own, which then only describes the model.
    const starting = options.modelWorkers !== undefined && options.device !== "cuda" ? ModelWorkers.start(modelPath, options.modelWorkers) : undefined;
    // Awaited below; a failure meanwhile must not count as unhandled.
    starting?.catch(() => undefined);
    let model: EmbeddingModel | undefined;
    try {
      model = await loadEmbeddingModel(modelPath, { ...options, describeOnly: starting !== undefined });
      const workers = await starting;
      return new EmbeddingExtractor(model, options.featureWorkers === undefined ? undefined : new FeaturePool(options.featureWorkers), workers);
    } catch (err) {
      // This thread's error first: a model that does not load fails the same way with or without workers.
      await Promise.all([model?.close(), starting?.then((w) => w.close(), () => undefined)]);
      throw err;
    }
  }

  /** The extractor that `compute` describes (with feature workers: defaultFeatureWorkers() unless it says). */
  static fromCompute(modelPath: string, compute: ComputeOptions): Promise<EmbeddingExtractor> {
    const modelWorkers = compute.device !== "cuda" && compute.threads !== undefined && compute.threads > 1 ? compute.threads : undefined;
    return EmbeddingExtractor.load(modelPath, {
      // With model workers, the calling thread's session only describes the model.
      intraOpThreads: modelWorkers ? 1 : compute.threads,
      modelWorkers,
      device: compute.device,
      featureWorkers: compute.featureWorkers ?? defaultFeatureWorkers(),
      onFallback: (reason) => compute.onWarning?.(`--device cuda: ${reason}; running on the CPU`),
    });
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

  /**
   * Raw embeddings of audio files, in argument order; decodes, featurises and embeds a window of files at a time.
   * With feature workers, the next window is featurised while this one runs through the model.
   */
  async embedFiles(paths: string[], options: ExtractOptions = {}): Promise<Float32Array[]> {
    const fileWindow = checkedFileWindow(options.fileWindow ?? (this.pool ? PIPELINE_FILE_WINDOW : FILE_WINDOW));
    const chunk = chunkSamples(options, this.model.info.sampleRate);
    const featurise = (start: number): Promise<FeatureMatrix[][]> => this.featuriseFiles(paths.slice(start, start + fileWindow), chunk);
    const out: Float32Array[] = [];
    let ahead: Promise<FeatureMatrix[][]> | undefined;
    for (let start = 0; start < paths.length; start += fileWindow) {
      const pieces = await (ahead ?? featurise(start));
      ahead = this.pool && start + fileWindow < paths.length ? featurise(start + fileWindow) : undefined;
      // Awaited in the next round; until then a failure must not count as unhandled.
      ahead?.catch(() => undefined);
      const count = pieces.length;
      const rows = await this.embedPieces(pieces, {
        ...options,
        // Pieces (chunks) are counted inside a window; report them as the share of its files.
        onProgress: (done, total) => options.onProgress?.(start + Math.round((count * done) / total), paths.length),
      });
      await options.onWindow?.(start, rows);
      out.push(...rows);
    }
    return out;
  }

  /** The features of each file's pieces (featurePieces), in the feature workers if there are any. */
  private async featuriseFiles(paths: string[], chunk: number): Promise<FeatureMatrix[][]> {
    const info = this.model.info;
    const pool = this.pool;
    if (pool) return Promise.all(paths.map((p) => pool.featurise(p, info, chunk)));
    const signals = await Promise.all(paths.map((p) => loadAudio(p, info.sampleRate)));
    return signals.map((samples, i) => featurePieces(samples, info, chunk, paths[i]));
  }

  private async embedFeatureList(pieces: FeatureMatrix[], options: ExtractOptions): Promise<Float32Array[]> {
    const batchSize = options.batchSize ?? 1;
    const maxBatchFrames = options.maxBatchFrames ?? 16 * 400;
    const rows: Float32Array[] = new Array(pieces.length);
    const runner = this.modelWorkers ?? this.model;
    // Longest first, so that model workers run out of work together.
    const batches = planBatches(pieces.map((p) => p.frames), batchSize, maxBatchFrames).reverse();
    let done = 0;
    let failed = false;
    await mapLimit(batches, this.modelWorkers?.size ?? 1, async (batch) => {
      // After a failure, start no more batches.
      if (failed) return;
      const embedded = await runner.embedFeatures(batch.map((i) => pieces[i])).catch((err: unknown) => {
        failed = true;
        throw err;
      });
      batch.forEach((i, k) => (rows[i] = embedded[k]));
      done += batch.length;
      options.onProgress?.(done, pieces.length);
    });
    return rows;
  }

  async close(): Promise<void> {
    await Promise.all([this.pool?.close(), this.modelWorkers?.close(), this.model.close()]);
  }
}
