import type { EnrollMap, Trial } from "../datasets/trials.ts";
import { type CentroidMethod } from "../enrollment/centroid.ts";
import { type Vector } from "./cosine.ts";
/** Where a trial's embeddings come from. Both throw a VoxlabError naming what is missing. */
export interface TrialEmbeddings {
    /** The enroll side: an utterance, or an enrollment id (CN-Celeb) standing for several. */
    enroll(id: string): Vector;
    /** The test utterance. */
    test(id: string): Vector;
}
export interface TrialEmbeddingOptions {
    /** Enrollment id → utterances; an enroll side found here is the centroid of their embeddings. */
    enrollMap?: EnrollMap;
    /** How an enrollment id's utterances are combined (default "mean-normalized"). */
    centroid?: CentroidMethod;
}
/**
 * Trial embeddings from an utterance lookup (e.g. trial path → the store's embedding of the file
 * under the dataset's wav root). Enrollment ids in `enrollMap` become centroids, computed once.
 */
export declare function trialEmbeddings(utterance: (id: string) => Vector | undefined, options?: TrialEmbeddingOptions): TrialEmbeddings;
/** Length-normalised embeddings by id, each computed on first use. */
export declare class UnitVectorCache {
    private readonly lookup;
    private readonly cache;
    constructor(lookup: (id: string) => Vector);
    get(id: string): Float64Array;
    /** Every id seen so far, in first-use order. */
    ids(): string[];
}
/** Cosine scores of the trials, in order. */
export declare function scoreTrials(trials: readonly Trial[], embeddings: TrialEmbeddings): Float64Array;
/** The scores table as CSV with header `enroll,test,label,score` (scores at full float64 precision). */
export declare function formatScoresCsv(trials: readonly Trial[], scores: ArrayLike<number>): string;
export declare function writeScoresCsv(path: string, trials: readonly Trial[], scores: ArrayLike<number>): Promise<void>;
