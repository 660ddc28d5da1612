import { type FeatureMatrix } from "../features/index.ts";
import { type EmbeddingModel, type LoadOptions } from "../models/embedding-model.ts";
import type { EmbeddingModelInfo } from "../models/metadata.ts";
export interface ExtractOptions {
    /** Utterances per ONNX run, at most (default 16). */
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
}
/** Files are decoded and featurised this many at a time, so memory stays bounded on long lists. */
export declare const FILE_WINDOW = 256;
/** options.fileWindow (default FILE_WINDOW), refused unless a positive integer. */
export declare function checkedFileWindow(options: Pick<ExtractOptions, "fileWindow">): number;
/** What featurising needs to know about the model. */
export type FeatureSpec = Pick<EmbeddingModelInfo, "frontend" | "meanNorm" | "minFrames" | "sampleRate">;
/** The chunk length in samples for `options.chunkSeconds` (0: whole utterances). */
export declare function chunkSamples(options: Pick<ExtractOptions, "chunkSeconds">, sampleRate: number): number;
/** The features of each piece of one signal (the whole of it, or its `chunk`-sample chunks when chunk > 0). */
export declare function featurePieces(samples: Float32Array, spec: FeatureSpec, chunk: number, name: string): FeatureMatrix[];
/** Splits samples into `chunk`-sample pieces; a tail shorter than half a chunk joins the piece before it. */
export declare function splitIntoChunks(samples: Float32Array, chunk: number): Float32Array[];
/** Mean of equal-length rows. */
export declare function meanRow(rows: Float32Array[]): Float32Array;
/**
 * Groups indices of items into batches of similar length: sorted by frame count, cut when the batch
 * is full or its padded size (rows × longest) would pass `maxBatchFrames`.
 */
export declare function planBatches(frames: number[], batchSize: number, maxBatchFrames: number): number[][];
export declare class EmbeddingExtractor {
    readonly model: EmbeddingModel;
    constructor(model: EmbeddingModel);
    static load(modelPath: string, options?: LoadOptions): Promise<EmbeddingExtractor>;
    get dimension(): number;
    /** The features the model expects for 16 kHz mono samples. */
    features(samples: Float32Array, name?: string): FeatureMatrix;
    /** Raw (not length-normalised) embeddings of 16 kHz mono signals, in input order. */
    embedSamples(signals: Float32Array[], options?: ExtractOptions, names?: string[]): Promise<Float32Array[]>;
    /**
     * Raw embeddings of utterances given as the features of their pieces (featurePieces): all pieces are batched
     * by length, and each utterance gets the mean of its pieces' embeddings.
     */
    embedPieces(utterances: FeatureMatrix[][], options?: ExtractOptions): Promise<Float32Array[]>;
    /** Raw embeddings of audio files, in argument order; decodes and embeds a window of files at a time. */
    embedFiles(paths: string[], options?: ExtractOptions): Promise<Float32Array[]>;
    private embedFeatureList;
    close(): Promise<void>;
}
