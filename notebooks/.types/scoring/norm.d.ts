import type { Trial } from "../datasets/trials.ts";
import { type Vector } from "./cosine.ts";
import { type TrialEmbeddings } from "./trials.ts";
/** `unbiased`: divide by n − 1 (torch.std, SpeechBrain); `biased`: divide by n (np.std, WeSpeaker). */
export type StdEstimator = "unbiased" | "biased";
export interface CohortStatsOptions {
    /** Use only each row's `topK` highest cohort scores (AS-norm); default: the whole cohort (s-norm). */
    topK?: number;
    /** Default "unbiased" (SpeechBrain). */
    std?: StdEstimator;
}
/** Per embedding: mean and standard deviation of its (top-k) cohort scores. */
export interface CohortStats {
    mean: Float64Array;
    std: Float64Array;
}
/** The cohort's length-normalised embeddings as one row-major float64 matrix. */
export declare class Cohort {
    readonly size: number;
    readonly dimension: number;
    private readonly units;
    constructor(embeddings: readonly Vector[]);
    /**
     * Cosine scores of up to BLOCK unit vectors (packed row after row in `queries`, unused rows zero)
     * against every cohort member, into `out[j]`. Scoring several queries per pass over the cohort
     * reads each cohort row once for all of them, which is several times faster than one at a time.
     */
    scoreBlock(queries: Float64Array, out: Float64Array[]): void;
}
/**
 * Reorders `values` so that its first `k` entries are its `k` largest (in no particular order):
 * quickselect, O(n) on average, instead of sorting every row.
 */
export declare function selectTopK(values: Float64Array, k: number): void;
/** Mean and standard deviation of the first `n` values (two passes, float64). */
export declare function meanStd(values: ArrayLike<number>, n: number, estimator: StdEstimator): [number, number];
/** Cohort score statistics of each (not necessarily normalised) embedding. */
export declare function cohortStats(embeddings: readonly Vector[], cohort: Cohort, options?: CohortStatsOptions): CohortStats;
/** ½ · ((s − μ_e)/σ_e + (s − μ_t)/σ_t). */
export declare function sNormScore(score: number, enrollMean: number, enrollStd: number, testMean: number, testStd: number): number;
export interface ScoreNormOptions {
    /** Default "unbiased" (SpeechBrain's torch.std); "biased" is WeSpeaker's np.std. */
    std?: StdEstimator;
}
/** Normalises trial scores with cohort statistics of the top `topK` scores (undefined: all). */
export declare function normalizeScores(trials: readonly Trial[], scores: ArrayLike<number>, embeddings: TrialEmbeddings, cohort: Cohort, options?: CohortStatsOptions): Float64Array;
/** Symmetric score normalisation with the whole cohort. */
export declare function sNorm(trials: readonly Trial[], scores: ArrayLike<number>, embeddings: TrialEmbeddings, cohort: Cohort, options?: ScoreNormOptions): Float64Array;
/** Adaptive s-norm: each side's statistics over its `topK` most similar cohort members. */
export declare function asNorm(trials: readonly Trial[], scores: ArrayLike<number>, embeddings: TrialEmbeddings, cohort: Cohort, topK: number, options?: ScoreNormOptions): Float64Array;
/** The mean embedding (WeSpeaker subtracts such a mean, of a large set, before cosine scoring). */
export declare function meanEmbedding(embeddings: readonly Vector[]): Float32Array;
/** `e − mean` for one embedding (apply it to trial and cohort embeddings alike). */
export declare function centerEmbedding(e: Vector, mean: Vector): Float32Array;
