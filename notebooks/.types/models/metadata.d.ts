import { type FrontendName } from "../features/index.ts";
/** Version of the VoxLab metadata layout written by the importer. */
export declare const VOXLAB_FORMAT = "1";
export declare const MEAN_NORMS: readonly ["sentence", "none"];
export type MeanNorm = (typeof MEAN_NORMS)[number];
/** The keys every VoxLab model must carry. */
export declare const REQUIRED_KEYS: readonly ["frontend", "sample_rate", "mean_norm", "embedding_dim", "source", "license"];
export interface EmbeddingModelInfo {
    frontend: FrontendName;
    sampleRate: number;
    /** "sentence": the features are fed after subtracting their per-utterance time mean. */
    meanNorm: MeanNorm;
    embeddingDim: number;
    /** Feature dimension (mel bins). */
    nMels: number;
    /** Rows with fewer valid frames are refused (ECAPA's reflect padding needs a few). */
    minFrames: number;
    source: string;
    license: string;
    /** Every metadata key/value, as stored. */
    metadata: Record<string, string>;
}
/** The metadata for a model produced by VoxLab; architecture keys are added by the builder. */
export declare function voxlabMetadata(m: {
    frontend: FrontendName;
    sampleRate: number;
    meanNorm: MeanNorm;
    source: string;
    license: string;
}): Record<string, string>;
/**
 * The metadata_props of serialized ONNX ModelProto bytes. Only the top level is scanned (the graph's
 * weights are skipped, not decoded); throws a VoxlabError when the bytes are not protobuf.
 */
export declare function readOnnxMetadata(bytes: Uint8Array, file: string): Record<string, string>;
/**
 * Validates VoxLab metadata. `nMelsFallback` is the model input's static feature dimension, used when
 * the metadata has no n_mels.
 */
export declare function parseModelInfo(props: Record<string, string>, file: string, nMelsFallback?: number): EmbeddingModelInfo;
