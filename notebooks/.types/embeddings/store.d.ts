/// <reference types="node" resolution-mode="require"/>
/// <reference types="node" resolution-mode="require"/>
import type { FrontendName } from "../features/index.ts";
import { type MeanNorm } from "../models/metadata.ts";
import type { EmbeddingExtractor } from "./extractor.ts";
export interface StoreOptions {
    /** The extractor's chunked extraction (see ExtractOptions.chunkSeconds); it changes the embeddings, so it is part of the key. */
    chunkSeconds?: number;
}
export interface StoreEmbedOptions {
    /** Utterances per ONNX run (default 16). Padded batches equal one-by-one runs, so it is not part of the key. */
    batchSize?: number;
    /** Padded frames per ONNX run, at most (see ExtractOptions.maxBatchFrames). */
    maxBatchFrames?: number;
    /** Embeddings computed between two writes to disk (default 256): a killed run loses at most this many. */
    flushEvery?: number;
    /** Files hashed at once (default 8). */
    hashConcurrency?: number;
    /** Called as missing embeddings are computed: done, of how many (cache hits are not counted). */
    onProgress?: (done: number, total: number) => void;
}
/** What the last `embedFiles` call did. */
export interface StoreRunStats {
    /** Distinct paths asked for. */
    files: number;
    /** Distinct audio contents among them. */
    contents: number;
    /** Contents found in the store. */
    cached: number;
    /** Contents embedded by the model (and added to the store). */
    computed: number;
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
}
/** sha256 (hex) of a file's bytes, streamed. */
export declare function hashFile(path: string): Promise<string>;
/** The identity of the model at `modelPath` (its metadata_props, overridden by a sidecar, as the loader reads them). */
export declare function modelIdentity(modelPath: string, options?: StoreOptions): Promise<ModelIdentity>;
/** The store folder name of an identity: a prefix of the sha256 of its canonical JSON. */
export declare function modelKey(identity: ModelIdentity): string;
/** Encodes records as one shard (see the format above). */
export declare function encodeShard(dim: number, records: ReadonlyArray<readonly [string, Float32Array]>): Buffer;
/** Decodes and checks a shard; a wrong size, dimension or checksum is a VoxlabError naming the file. */
export declare function decodeShard(bytes: Buffer, dim: number, name: string): Array<[string, Float32Array]>;
export interface MergeSummary {
    models: number;
    shards: number;
    embeddings: number;
}
/**
 * Merges embedding stores (e.g. one per shard of a Slurm array) into `dest`: every shard file of every
 * model folder is checked, then added under a fresh name. Duplicates are harmless (dropped on load).
 */
export declare function mergeStores(dest: string, sources: readonly string[]): Promise<MergeSummary>;
export declare class EmbeddingStore {
    /** `<storeDir>/<modelKey>`. */
    readonly dir: string;
    readonly modelPath: string;
    readonly identity: ModelIdentity;
    /** Counts of the last `embedFiles` call. */
    lastRun: StoreRunStats;
    private readonly records;
    private readonly shards;
    private nextShard;
    private constructor();
    /** Opens (creating if needed) the store of `modelPath`'s embeddings under `storeDir`, and reads it. */
    static open(storeDir: string, modelPath: string, options?: StoreOptions): Promise<EmbeddingStore>;
    get dimension(): number;
    /** Embeddings held. */
    get size(): number;
    has(contentHash: string): boolean;
    /** The embedding of the audio whose bytes hash to `contentHash` (a copy), if stored. */
    get(contentHash: string): Float32Array | undefined;
    /** Adds embeddings (content hash → raw embedding) and writes them to disk as one shard. */
    add(entries: Iterable<readonly [string, Float32Array]>): Promise<void>;
    /**
     * Raw embeddings of audio files (path → embedding, in first-seen order): every file is hashed, the
     * ones whose content is not stored are embedded by `extractor` (which must run this store's model)
     * and written to disk every `flushEvery`, so a killed run resumes where it stopped.
     */
    embedFiles(paths: readonly string[], extractor: EmbeddingExtractor, options?: StoreEmbedOptions): Promise<Map<string, Float32Array>>;
    /** Merges all shards into one (duplicates dropped); old shards are deleted only after the new one is in place. */
    compact(): Promise<void>;
    private load;
    private writeShard;
    /** The extractor must run this store's model: same frontend settings and dimension, same ONNX bytes. */
    private checkExtractor;
}
/**
 * Writes embeddings as an [N,D] float32 `.npy` (rows in the map's order) plus a text file of the
 * matching paths, one per line (default `<npy without .npy>.paths.txt`); returns the list's path.
 */
export declare function writeEmbeddingTable(npyPath: string, embeddings: ReadonlyMap<string, Float32Array>, listPath?: string): Promise<string>;
