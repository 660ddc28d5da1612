import type { TopLevelSpec } from "vega-lite";
import type { Labels } from "../metrics/index.ts";
/** One speaker's errors at a threshold, over the trials enrolled on that speaker. */
export interface SpeakerErrors {
    speaker: string;
    targets: number;
    nontargets: number;
    misses: number;
    falseAlarms: number;
}
/**
 * Per-enrolled-speaker miss and false-alarm counts at a threshold (accept score >= threshold),
 * ordered by total errors, most first (ties by speaker name).
 */
export declare function speakerErrors(scores: ArrayLike<number>, labels: Labels, speakers: ArrayLike<string>, threshold: number): SpeakerErrors[];
export interface PerSpeakerErrorOptions {
    /** Show rates (errors / trials of that kind) instead of counts. */
    rates?: boolean;
    /** Speakers shown, those with the most errors first (default 30). */
    top?: number;
    title?: string;
    width?: number;
}
export interface SpeakerErrorRow {
    speaker: string;
    kind: "miss" | "false alarm";
    count: number;
    trials: number;
    rate: number;
}
/** Horizontal bars of the misses and false alarms of the speakers with the most errors. */
export declare function perSpeakerErrorSpec(errors: readonly SpeakerErrors[], threshold: number, { rates, top, title, width }?: PerSpeakerErrorOptions): TopLevelSpec;
