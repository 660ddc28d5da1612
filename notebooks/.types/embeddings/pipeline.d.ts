import type { LoadOptions } from "../models/embedding-model.ts";
import { FeaturePool } from "./feature-pool.ts";
import { EmbeddingExtractor, type ExtractOptions } from "./extractor.ts";
export interface PipelineLoadOptions extends LoadOptions {
    /** Feature worker threads (default defaultFeatureWorkers()). */
    featureWorkers?: number;
}
/**
 * Files per window in the pipeline (default of ExtractOptions.fileWindow here). Smaller than FILE_WINDOW so the
 * first window, which inference must wait for, is short; at most two windows of features are held at once.
 */
export declare const PIPELINE_FILE_WINDOW = 64;
export declare class PipelinedExtractor {
    readonly extractor: EmbeddingExtractor;
    private readonly pool;
    constructor(extractor: EmbeddingExtractor, pool: FeaturePool);
    static load(modelPath: string, options?: PipelineLoadOptions): Promise<PipelinedExtractor>;
    get dimension(): number;
    /** Raw embeddings of audio files, in argument order (as EmbeddingExtractor.embedFiles with the same options). */
    embedFiles(paths: string[], options?: ExtractOptions): Promise<Float32Array[]>;
    close(): Promise<void>;
}
