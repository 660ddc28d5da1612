import type { FeatureMatrix } from "../features/index.ts";
import type { FeatureSpec } from "./extractor.ts";
export interface FeatureJob {
    id: number;
    path: string;
    spec: FeatureSpec;
    /** Chunk length in samples, 0 for whole utterances. */
    chunk: number;
}
export type FeatureReply = {
    id: number;
    pieces: FeatureMatrix[];
} | {
    id: number;
    error: string;
    userError: boolean;
};
/**
 * Feature workers for `cores` CPU cores: decoding and filterbanks cost a small share of ECAPA's inference
 * (the full-size model's features are ~1/30 of its time), so one worker per 8 cores, 1 to 8.
 */
export declare function defaultFeatureWorkers(cores?: number): number;
export declare class FeaturePool {
    readonly size: number;
    private readonly workers;
    private readonly idle;
    private readonly queue;
    private readonly running;
    private nextId;
    private failure;
    constructor(size?: number);
    /** Decodes `path` to the spec's rate and returns the features of its pieces (see featurePieces). */
    featurise(path: string, spec: FeatureSpec, chunk: number): Promise<FeatureMatrix[]>;
    private dispatch;
    private finish;
    /** A worker died (not a bad file, which is an answer): every job fails, and so does every later one. */
    private crash;
    close(): Promise<void>;
}
