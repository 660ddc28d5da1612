import type { FeatureMatrix } from "../features/index.ts";
import { type EmbeddingModelInfo } from "./metadata.ts";
export interface LoadOptions {
    /** ONNX Runtime intra-op threads (default: ONNX Runtime's choice). */
    intraOpThreads?: number;
}
/** One utterance's features: `frames` rows of the model's n_mels values, C order (`bins` optional). */
export type EmbedInput = Pick<FeatureMatrix, "data" | "frames"> & Partial<Pick<FeatureMatrix, "bins">>;
/** The sidecar beside `<model>.onnx`: `<model>.voxlab.json` (keys as in metadata_props). */
export declare function sidecarPath(modelPath: string): string;
/** A model's metadata_props overridden by its sidecar: how VoxLab reads what a model says of itself. */
export declare function readModelProperties(path: string, bytes: Uint8Array): Promise<Record<string, string>>;
export declare class EmbeddingModel {
    readonly path: string;
    readonly info: EmbeddingModelInfo;
    private readonly session;
    private readonly featsName;
    private readonly lengthsName;
    private readonly outputName;
    private constructor();
    /** Loads `path`; its metadata_props, overridden by a `<model>.voxlab.json` sidecar, must describe it. */
    static load(path: string, options?: LoadOptions): Promise<EmbeddingModel>;
    /** Whether rows of different lengths can share one run (the graph takes `lengths`). */
    get supportsPaddedBatches(): boolean;
    /**
     * Embeds a batch of feature matrices; returns one [embeddingDim] row per input, in order. With a
     * `lengths` input the batch is zero-padded into one run; otherwise each row runs on its own, since
     * padding would change its embedding.
     */
    embedFeatures(batch: EmbedInput[]): Promise<Float32Array[]>;
    private run;
    close(): Promise<void>;
}
/** Loads a speaker-embedding ONNX model (see EmbeddingModel.load). */
export declare function loadEmbeddingModel(path: string, options?: LoadOptions): Promise<EmbeddingModel>;
