import { type Vector } from "../scoring/cosine.ts";
import { type CentroidMethod } from "./centroid.ts";
/**
 * SpeechBrain's default cosine threshold (speechbrain#2145: "why 0.25?"). Scores depend on the
 * model and the data: tune it on your own trials (the metrics' threshold reports) before relying on it.
 */
export declare const DEFAULT_THRESHOLD = 0.25;
export interface SpeakerProfile {
    speaker: string;
    /** Enrollment utterances so far. */
    count: number;
    /** Running float64 sum (of normalised or raw embeddings, as the method accumulates). */
    sum: Float64Array;
    centroid: Float32Array;
}
export interface ProfilesOptions {
    method?: CentroidMethod;
    /** Cosine threshold that `verify` accepts at (default DEFAULT_THRESHOLD). */
    threshold?: number;
}
export interface VerifyResult {
    score: number;
    accepted: boolean;
    threshold: number;
}
export interface SpeakerMatch {
    speaker: string;
    score: number;
}
/** The JSON file layout. Float arrays are base64 of little-endian bytes (exact, compact). */
export interface ProfilesFile {
    format: typeof FORMAT;
    version: 1;
    method: CentroidMethod;
    threshold: number;
    dimension: number | null;
    profiles: Array<{
        speaker: string;
        count: number;
        sum: string;
        centroid: string;
    }>;
}
declare const FORMAT = "voxlab-speaker-profiles";
export declare class SpeakerProfiles {
    readonly method: CentroidMethod;
    threshold: number;
    private dim;
    private readonly entries;
    constructor(options?: ProfilesOptions);
    /** Profiles from embeddings grouped by speaker (e.g. a dataset's enrollment utterances). */
    static build(groups: Iterable<readonly [string, readonly Vector[]]>, options?: ProfilesOptions): SpeakerProfiles;
    get size(): number;
    /** Embedding dimension, once a speaker is enrolled. */
    get dimension(): number | null;
    speakers(): string[];
    has(speaker: string): boolean;
    get(speaker: string): SpeakerProfile | undefined;
    /** Adds utterance embeddings to `speaker` (creating the profile); the centroid is updated. */
    enroll(speaker: string, embeddings: readonly Vector[]): SpeakerProfile;
    remove(speaker: string): boolean;
    centroid(speaker: string): Float32Array;
    /** Cosine score of `embedding` against the speaker's centroid, accepted when ≥ the threshold. */
    verify(speaker: string, embedding: Vector, threshold?: number): VerifyResult;
    /** The `k` best-scoring speakers for `embedding`, best first (ties by name). */
    identify(embedding: Vector, k?: number): SpeakerMatch[];
    toJSON(): ProfilesFile;
    /** Reads `toJSON` output; the centroids are recomputed from the sums and must match the stored ones. */
    static fromJSON(json: unknown, source?: string): SpeakerProfiles;
    /** Writes the profiles as JSON (atomically: a temporary file, then a rename). */
    save(path: string): Promise<void>;
    static load(path: string): Promise<SpeakerProfiles>;
    private set;
    private entry;
    private query;
}
export {};
