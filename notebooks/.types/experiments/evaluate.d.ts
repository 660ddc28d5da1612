import { type TrialGenerationOptions } from "../datasets/generate.ts";
import { type Trial } from "../datasets/trials.ts";
import { type VerificationMetrics } from "../metrics/index.ts";
import { type MetricIntervals } from "../reports/index.ts";
export type ScoreNorm = "none" | "s-norm" | "as-norm";
export interface EvaluationOptions {
    /** Dataset root (VoxCeleb-style tree). */
    data: string;
    /** ONNX embedding model. */
    model: string;
    outDir: string;
    /** Trial list; default `<data>/trials.txt` when present, else trials generated with `seed`. */
    trials?: string;
    /** CN-Celeb `enroll.map` for multi-utterance enrollment ids. */
    enrollMap?: string;
    /** Cohort dataset root for score normalisation. */
    cohort?: string;
    /** Default: "as-norm" with a cohort, else "none". */
    norm?: ScoreNorm;
    /** AS-norm cohort size (default 200, capped at the cohort size). */
    topK?: number;
    /** Embedding cache (default `$VOXLAB_CACHE/embeddings` or `~/.cache/voxlab/embeddings`). */
    storeDir?: string;
    seed?: number;
    /** Trial generation settings; its seed defaults to `seed`. */
    generate?: Partial<TrialGenerationOptions>;
    /** Chunked extraction (see ExtractOptions.chunkSeconds); part of the embedding cache key. */
    chunkSeconds?: number;
    bootstrapIterations?: number;
    /** Inline plotly.js in report.html (default true). */
    interactive?: boolean;
    threads?: number;
    batchSize?: number;
    /** Long steps report here: a stage name, units done and the total. */
    onProgress?: (stage: string, done: number, total: number) => void;
}
export interface EvaluationResult {
    metrics: VerificationMetrics;
    intervals: MetricIntervals;
    trials: Trial[];
    scores: Float64Array;
    /** Files written. */
    files: {
        metrics: string;
        scores: string;
        report: string;
        figures: string[];
        trials?: string;
    };
    /** Embeddings found in the cache vs computed now. */
    embeddings: {
        cached: number;
        computed: number;
    };
}
export declare function defaultStoreDir(): string;
export declare function runEvaluation(options: EvaluationOptions): Promise<EvaluationResult>;
